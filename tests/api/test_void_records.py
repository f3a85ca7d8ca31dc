"""Issue 12: numbers recorded before values were checked. The log keeps them as stored (its hashes hold), but
they are read through the domain's upcasters: a score, bonus, deduction or adjustment whose value is out of
its domain is void. It counts for nothing, its history line says why, a pending one cannot be confirmed,
and the campaign's 赋分表 and reports work again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from domain.campaign.events import DeductionConfirmed, DeductionProposed, ScoreDetermined
from domain.shared.events import Event, to_data
from domain.shared.values import void_out_of_domain
from services.app.usecases import CAMPAIGN
from services.bootstrap import domain_registry
from services.eventstore.model import NewEvent
from services.eventstore.registry import EventTypeRegistry
from services.eventstore.store import EventStore
from services.seed import scenario
from tests.api.conftest import Api
from tests.api.test_reports_api import render_pending
from tests.api.test_values_in_domain import POISON, determining

C = f"/campaigns/{scenario.CAMPAIGN_ID}"
STREAM = f"campaign-{scenario.CAMPAIGN_ID}"
AT = datetime(2023, 2, 14, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize("raw", POISON)
def test_the_upcaster_voids_every_poisoned_value_and_keeps_good_ones(raw: str) -> None:
    upcast = void_out_of_domain({"points": raw, "unit": "C01"}, "points")
    assert upcast["points"] == "0" and raw[:20] in upcast["void"] and "不计入" in upcast["void"]
    assert upcast["unit"] == "C01"
    for good in ("5", "0.5", "999999.99", "-2"):
        assert void_out_of_domain({"points": good}, "points") == {"points": good, "void": ""}


def test_every_event_with_a_number_declares_its_upcaster_beside_its_class() -> None:
    registry = domain_registry()
    for cls in (ScoreDetermined, DeductionProposed):
        assert cls.VERSION == 2 and set(cls.UPCASTERS) == {1}
        assert registry.current_version(cls.TYPE) == 2
    version, data = registry.upcast("ScoreDetermined", 1, {"score": "NaN"})
    assert version == 2 and data["score"] == "0" and data["void"]


def old_store(api: Api) -> EventStore:
    """The store as the previous release wrote: these types at schema version 1, no value checks."""
    registry = EventTypeRegistry()
    for name in domain_registry().names():
        registry.register(name, 1)
    return EventStore(api.container.engine, registry)


def record_v1(api: Api, events: list[Event]) -> None:
    store = old_store(api)
    version = store.stream_version(STREAM)
    stored = [NewEvent(e.TYPE, {k: v for k, v in to_data(e).items() if k != "void"}, {"actor": e.actor})
              for e in events]  # fmt: skip
    store.append(STREAM, stored, version)


def poisoned(deduction_id: str, points: str) -> DeductionProposed:
    event = DeductionProposed(
        at=AT, actor="drafter", deduction_id=deduction_id, unit="C01", indicator="haochaping", clause="一",
        facts="旧版本记录", points=points,  # type: ignore[arg-type]  # stored as text, as the old API did
    )  # fmt: skip
    return event


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_a_poisoned_deduction_recorded_earlier_counts_for_nothing_and_reports_render(api: Api) -> None:
    determining(api)
    before = cell(api.get("auditor", f"{C}/scores").json())
    record_v1(api, [
        poisoned("d-old", "1E+999999"),
        DeductionConfirmed(at=AT, actor="section-chief", deduction_id="d-old", opinion="同意"),
        poisoned("d-pending", "NaN"),
    ])  # fmt: skip
    stored = [e for e in api.container.store.read_stream(STREAM) if e.type == "DeductionProposed"]
    assert [e.schema_version for e in stored] == [2, 2] and all(e.data["void"] for e in stored), "read upcast"

    assert api.container.operations.verify_log().ok, "the stored bytes are untouched"
    assert cell(api.get("auditor", f"{C}/scores").json()) == before, "the void deduction counts for nothing"
    state, _ = api.container.runner.load(CAMPAIGN, STREAM)
    assert state.deductions["d-old"].void and state.deductions["d-old"].status.value == "confirmed"
    assert not state.cells.get(("C01", "haochaping")), "no score entry from a void record"
    lines = api.get("auditor", f"{C}/history").json()["items"]
    void = [i for i in lines if i["type"] == "DeductionProposed"]
    assert len(void) == 2 and all("不计入" in (i["data"].get("void") or "") for i in void), void

    confirm = api.post("section-chief", f"{C}/deductions/d-pending/confirm", {"opinion": "同意"})
    assert confirm.status_code == 422 and "points" in confirm.text, confirm.text

    report_id = api.post("drafter", f"{C}/reports", {}).json()["report_id"]
    assert render_pending(api, report_id) == "rendered"


def cell(table: dict[str, Any]) -> Any:
    row = next(r for r in table["rows"] if r["unit_code"] == "C01")
    return [(c["indicator"], c["display"]) for c in row["cells"]]
