"""Issue 13: unit accounts belong to organisations, act only for their own, named by code or by name.

Each test reproduces a finding of the security review and shows it fixed.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from domain import campaign
from domain.campaign.types import Unit, UnitGroup
from domain.shared.events import to_data
from domain.shared.identity import Role
from domain.shared.organisations import InvalidOrganisation, OrganisationKind, OrganisationRegistered
from services.api.client import request_for
from services.eventstore.model import NewEvent, StreamAppend
from services.identity.accounts import IdentityError
from services.seed import scenario
from tests.api.conftest import Api
from tests.api.test_seed_through_api import ACTORS, CAMPAIGN_STEPS

C = f"/campaigns/{scenario.CAMPAIGN_ID}"
OPENED_COLLECTION = 7  # CAMPAIGN_STEPS[:7] ends with OpenCollection: the campaign collects data
PUBLISHED = 17  # CAMPAIGN_STEPS[:17] ends with PublishResults


def run_until(api: Api, steps: int) -> None:
    for command in CAMPAIGN_STEPS[:steps]:
        api.ok(ACTORS[command.actor], command, scenario.CAMPAIGN_ID)


def submission(unit: str) -> dict[str, Any]:
    command = dataclasses.replace(CAMPAIGN_STEPS[8], unit=unit)
    _, body = request_for(command, scenario.CAMPAIGN_ID)
    body.pop("at"), body.pop("submission_id", None)
    return dict(body)


def open_other(api: Api, units: tuple[Unit, ...]) -> None:
    """A second campaign whose codes mean other units (C01 is not 汉滨区 there)."""
    opened = dataclasses.replace(CAMPAIGN_STEPS[0], campaign_id="other")
    api.ok("drafter", opened)
    registered = campaign.RegisterUnits(at=CAMPAIGN_STEPS[1].at, actor="drafter", units=units)
    _, body = request_for(registered, "other")
    assert api.post("drafter", "/campaigns/other/units", body).status_code == 200


def test_a_unit_bound_by_name_writes_naming_its_unit_by_code_or_by_name(api: Api) -> None:
    run_until(api, OPENED_COLLECTION)
    for named in ("汉滨区", "C01"):
        r = api.post("hanbin", f"{C}/submissions", submission(named))
        assert r.status_code == 201, (named, r.text)
    submitted = api.get("hanbin", f"{C}/history", type="DataSubmitted").json()["items"]
    assert [i["data"]["unit"] for i in submitted] == ["C01", "C01"], "stored by the campaign's code"
    own = submitted[0]["data"]["submission_id"]
    review = {"decision": "returned", "opinion": "请补充材料"}
    assert api.post("section-chief", f"{C}/submissions/{own}/review", review).status_code == 200
    reviewed = api.get("hanbin", f"{C}/history", type="SubmissionReviewed").json()["items"]
    assert [i["data"]["opinion"] for i in reviewed] == ["请补充材料"], "the review of its own submission"
    for other in ("汉阴县", "C02"):
        r = api.post("hanbin", f"{C}/submissions", submission(other))
        assert r.status_code == 403, (other, r.text)


def test_codes_are_each_campaigns_own_so_c01_elsewhere_is_not_hanbin(api: Api) -> None:
    run_until(api, OPENED_COLLECTION)
    open_other(api, (Unit(code="C01", name="市公安局", group=UnitGroup.CITY_DEPARTMENT, order=1),))
    assert api.get("hanbin", "/campaigns/other").status_code == 403
    assert api.get("hanbin", "/campaigns/other/scores").status_code == 403
    assert api.get("hanbin", "/campaigns/other/history").status_code == 403
    assert [c["id"] for c in api.get("hanbin", "/campaigns").json()] == [scenario.CAMPAIGN_ID]
    head = api.log_head()
    r = api.post("hanbin", "/campaigns/other/submissions", submission("C01"))
    assert r.status_code == 403 and api.log_head() == head


def test_a_campaign_enrols_organisations_by_id_and_its_code_is_display_only(api: Api) -> None:
    run_until(api, 2)
    registered = api.get("auditor", f"{C}/history", type="UnitsRegistered").json()["items"][0]
    hanbin_org = api.container.identity.organisations.find("汉滨区")
    assert hanbin_org is not None
    by_name = {u["name"]: u["organisation"] for u in registered["data"]["units"]}
    assert by_name["汉滨区"] == hanbin_org.id, "the registered organisation is enrolled by id"
    open_other(api, (Unit(code="X7", name="汉滨区", group=UnitGroup.COUNTY, order=1),))
    assert api.get("hanbin", "/campaigns/other").status_code == 200
    unknown = {
        "units": [{"code": "Z1", "name": "某单位", "group": "county", "order": 1, "organisation": "nope"}]
    }
    r = api.post("drafter", "/campaigns/other/units", unknown)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "units[0].organisation"


def publish_now(api: Api) -> None:
    """Run the seed to 公示 with the publication dated now, so the appeal window is open."""
    run_until(api, PUBLISHED - 1)
    _, body = request_for(CAMPAIGN_STEPS[PUBLISHED - 1], scenario.CAMPAIGN_ID)
    body.pop("at")
    r = api.post("section-chief", f"{C}/publication", body)
    assert r.status_code == 200, r.text


def test_an_appeal_names_the_unit_by_name_once_results_are_published(api: Api) -> None:
    publish_now(api)
    body = {"unit": "汉滨区", "indicator": "haochaping", "reasons": "数据有误"}
    r = api.post("hanbin", f"{C}/appeals", body)
    assert r.status_code == 201, r.text
    r = api.post("hanbin", f"{C}/appeals", {**body, "unit": "汉阴县"})
    assert r.status_code == 403
    appeal = api.get("hanbin", f"{C}/history", type="AppealFiled").json()["items"][0]["data"]["appeal_id"]
    decision = {"decision": "upheld", "reasons": "数据无误", "approver": "director"}
    assert api.post("section-chief", f"{C}/appeals/{appeal}/decision", decision).status_code == 200
    decided = api.get("hanbin", f"{C}/history", type="AppealDecided").json()["items"]
    assert [i["data"]["reasons"] for i in decided] == ["数据无误"], "the decision on its own appeal"


def test_unit_accounts_belong_to_a_registered_organisation(api: Api) -> None:
    identity = api.container.identity
    with pytest.raises(IdentityError) as refused:
        identity.add_user("nobody", Role.ASSESSED_UNIT, "Kaohe-Test-2026!", "不存在的区")
    assert refused.value.field == "organisation"
    with pytest.raises(IdentityError):
        identity.add_user("staff-with-unit", Role.DRAFTER, "Kaohe-Test-2026!", "汉滨区")
    with pytest.raises(IdentityError):  # a campaign's code names no organisation: no binding by code
        identity.add_user("c01", Role.ASSESSED_UNIT, "Kaohe-Test-2026!", "C01")
    body = {"name": "x1", "role": "assessed_unit", "password": "Kaohe-Test-2026!", "unit": "不存在的区"}
    r = api.post("admin", "/users", body)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "organisation"
    r = api.post("admin", "/users", {**body, "unit": None, "organisation": "汉滨区"})
    assert r.status_code == 201 and r.json()["unit"] == "汉滨区"


def test_organisations_are_registered_by_the_admin_with_a_checked_uscc(api: Api) -> None:
    good = {"name": "市审计局", "kind": "city_department", "uscc": "11610902000000000K"}
    assert api.post("drafter", "/organisations", good).status_code == 403
    bad = api.post("admin", "/organisations", {**good, "uscc": "11610902000000000A"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "uscc"
    short = api.post("admin", "/organisations", {**good, "uscc": "1161"})
    assert short.status_code == 422
    head = api.log_head()
    made = api.post("admin", "/organisations", good)
    assert made.status_code == 201, made.text
    assert made.json()["uscc"] == "11610902000000000K"
    assert api.log_head() == head + 1
    event = api.get("auditor", "/events", after=head).json()["events"][0]
    assert event["type"] == "OrganisationRegistered" and event["data"]["name"] == "市审计局"
    again = api.post("admin", "/organisations", {**good, "uscc": None})
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "name"
    names = [o["name"] for o in api.get("admin", "/organisations").json()]
    assert "市审计局" in names and "汉滨区" in names


def test_an_organisation_row_and_its_event_commit_together(api: Api) -> None:
    store = api.container.store
    head = api.log_head()

    def fails(_: Any) -> None:
        raise RuntimeError("the row could not be written")

    event = OrganisationRegistered(
        at=datetime.now(UTC), actor="admin", organisation_id="x", name="某机构", kind=OrganisationKind.OTHER
    )
    batch = StreamAppend("organisation-x", [NewEvent(event.TYPE, to_data(event), {})], 0)
    with pytest.raises(RuntimeError):
        store.append_streams([batch], also=fails)
    assert api.log_head() == head, "no event without its row"


def test_two_registrations_of_one_name_at_once_leave_one_row_and_one_event(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = api.container.identity.organisations
    registry.add("市审计局", "city_department")
    head = api.log_head()
    monkeypatch.setattr(registry, "find", lambda _: None)  # both passed the check before either wrote
    with pytest.raises(InvalidOrganisation):
        registry.add("市审计局", "city_department")
    assert api.log_head() == head
