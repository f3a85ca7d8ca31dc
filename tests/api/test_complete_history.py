"""Issue 14: a unit's history holds every decision about it. DeductionConfirmed and DeductionRejected name
only the deduction; the filters follow that id back to the unit and indicator it was proposed for."""

from __future__ import annotations

import pytest

from services.seed import scenario
from tests.api.conftest import Api
from tests.api.test_values_in_domain import deduction, determining

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
C = f"/campaigns/{scenario.CAMPAIGN_ID}"


def test_a_units_history_keeps_the_confirmation_and_the_rejection_of_its_deductions(api: Api) -> None:
    determining(api)
    for deduction_id, unit in (("d-kept", "C01"), ("d-dropped", "C01"), ("d-other", "C02")):
        body = {**deduction("1"), "unit": unit, "deduction_id": deduction_id}
        assert api.post("drafter", f"{C}/deductions", body).status_code in (200, 201)
    decide = {"at": "2023-02-14T11:00:00+08:00"}
    kept = api.post("section-chief", f"{C}/deductions/d-kept/confirm", {**decide, "opinion": "属实"})
    dropped = api.post("section-chief", f"{C}/deductions/d-dropped/reject", {**decide, "reason": "已整改"})
    other = api.post("section-chief", f"{C}/deductions/d-other/confirm", {**decide, "opinion": "属实"})
    assert {kept.status_code, dropped.status_code, other.status_code} <= {200, 201}, kept.text

    def types(**params: str) -> list[tuple[str, str]]:
        items = api.get("auditor", f"{C}/history", **params).json()["items"]
        return [(i["type"], i["data"].get("deduction_id", "")) for i in items if "Deduction" in i["type"]]

    assert types(unit="C01") == [
        ("DeductionProposed", "d-kept"), ("DeductionProposed", "d-dropped"),
        ("DeductionConfirmed", "d-kept"), ("DeductionRejected", "d-dropped"),
    ]  # fmt: skip
    assert types(unit="汉滨区") == types(unit="C01"), "a unit by its name too"
    assert ("DeductionConfirmed", "d-other") in types(unit="C02")
    assert ("DeductionConfirmed", "d-kept") not in types(unit="C02")
    by_indicator = types(indicator=scenario.YINGSHANG_2.code)
    assert ("DeductionRejected", "d-dropped") in by_indicator and len(by_indicator) == 6
    assert types(unit="C01", type="DeductionRejected") == [("DeductionRejected", "d-dropped")]
