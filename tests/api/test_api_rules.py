"""The API's contract: roles, retries, versions and errors, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

import pytest

from domain.shared.identity import Role
from services.api.command_routes import ROUTES
from services.seed import scenario
from tests.api.conftest import USERS, Api
from tests.api.test_seed_through_api import CAMPAIGN_STEPS, run_campaign

C = f"/campaigns/{scenario.CAMPAIGN_ID}"


def concrete(path: str) -> str:
    return re.sub(
        r"\{(\w+):str\}", lambda m: scenario.CAMPAIGN_ID if m.group(1) == "campaign_id" else "x1", path
    )


def open_campaign(api: Api) -> None:
    api.ok("drafter", CAMPAIGN_STEPS[0])


def test_every_write_route_admits_exactly_its_roles_and_refusals_write_nothing(api: Api) -> None:
    open_campaign(api)
    for route in ROUTES:
        path = concrete(route.path)
        for user, (role, _) in USERS.items():
            head = api.log_head()
            response = api.post(user, path, {})
            if role in route.roles:
                assert response.status_code not in (401, 403), (route.path, user, response.text)
            else:
                assert response.status_code == 403, (route.path, user, response.status_code)
                assert response.headers["content-type"].startswith("application/problem+json")
                assert api.log_head() == head, f"a refused {route.path} by {user} wrote to the log"
    assert all(Role.AUDITOR not in r.roles for r in ROUTES), "the auditor writes nothing"


def test_unknown_fields_and_bad_types_are_422_with_field_messages(api: Api) -> None:
    open_campaign(api)
    head = api.log_head()
    r = api.post("section-chief", f"{C}/collection", {"deadline": "2023-02-10", "surprise": 1})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert any("surprise" in e["message"] or e["field"] == "surprise" for e in r.json()["errors"])
    r = api.post("section-chief", f"{C}/collection", {"deadline": "not a date"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "deadline"
    r = api.post(
        "section-chief", f"{C}/collection", {"deadline": "2023-02-10", "at": "2999-01-01T00:00:00+08:00"}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "at"
    assert api.log_head() == head


def test_malformed_json_is_400_and_oversized_bodies_are_413(api: Api) -> None:
    open_campaign(api)
    head = api.log_head()
    r = api.client.post(f"{C}/collection", content=b"{not json", headers=api.headers("drafter"))
    assert r.status_code == 400 and r.json()["status"] == 400
    big = {
        "units": [{"code": f"U{i}", "name": "x" * 200, "group": "市级部门", "order": i} for i in range(6000)]
    }
    r = api.post("drafter", f"{C}/units", big)
    assert r.status_code == 413 and r.headers["content-type"].startswith("application/problem+json")
    assert api.log_head() == head


def test_missing_things_are_404_and_domain_refusals_are_named(api: Api) -> None:
    assert api.get("auditor", "/campaigns/nope").status_code == 404
    assert api.get("auditor", "/documents/nope").status_code == 404
    r = api.post("drafter", "/campaigns/nope/units", {"units": []})
    assert r.status_code in (404, 409, 422) and r.json()["code"]
    open_campaign(api)
    r = api.post("drafter", f"{C}/determination", {})
    assert r.status_code == 409, r.text
    assert r.json()["code"] and "Traceback" not in r.text


def test_tokens_are_required_and_revocation_takes_effect(api: Api) -> None:
    assert api.client.get("/inbox").status_code == 401
    assert api.client.get("/inbox", headers={"Authorization": "Bearer kh_wrong"}).status_code == 401
    assert api.get("drafter", "/inbox").status_code == 200
    r = api.post("admin", "/users/drafter/tokens/revoke")
    assert r.status_code == 200 and r.json()["revoked"] == 1
    assert api.get("drafter", "/inbox").status_code == 401
    assert api.post("drafter", "/users/drafter/tokens", {"days": 1}).status_code in (401, 403)


def test_an_idempotency_key_replays_the_first_response_and_records_nothing_new(api: Api) -> None:
    first = api.command("drafter", CAMPAIGN_STEPS[0], **{"Idempotency-Key": "open-1"})
    assert first.status_code == 201
    head = api.log_head()
    again = api.command("drafter", CAMPAIGN_STEPS[0], **{"Idempotency-Key": "open-1"})
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert api.log_head() == head
    other = api.post("drafter", f"{C}/units", {"units": []}, **{"Idempotency-Key": "open-1"})
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert api.log_head() == head


def test_a_create_retried_with_its_key_names_the_same_resource(api: Api) -> None:
    body = {"code": "安行审函", "year": 2023, "next_serial": 7}
    a = api.post("office", "/registers", body, **{"Idempotency-Key": "reg"}).json()
    b = api.post("office", "/registers", body, **{"Idempotency-Key": "reg"}).json()
    assert a == b and a["id"]


def test_if_match_refuses_a_stale_version_with_412(api: Api) -> None:
    created = api.ok("drafter", CAMPAIGN_STEPS[0])
    version = created["stream_version"]
    r = api.command("drafter", CAMPAIGN_STEPS[1], scenario.CAMPAIGN_ID, **{"If-Match": f'"{version}"'})
    assert r.status_code == 200 and r.headers["etag"] == f'"{version + 1}"'
    head = api.log_head()
    stale = api.command("drafter", CAMPAIGN_STEPS[2], scenario.CAMPAIGN_ID, **{"If-Match": f'"{version}"'})
    assert stale.status_code == 412
    assert stale.json()["current_version"] == version + 1
    assert api.log_head() == head
    bad = api.command("drafter", CAMPAIGN_STEPS[2], scenario.CAMPAIGN_ID, **{"If-Match": "yesterday"})
    assert bad.status_code == 422


def test_request_ids_are_echoed_and_every_event_records_who_acted(api: Api) -> None:
    r = api.client.post(
        "/campaigns",
        json=_open_body(),
        headers={**api.headers("drafter"), "X-Request-ID": "req-42"},
    )
    assert r.status_code == 201 and r.headers["x-request-id"] == "req-42"
    events = api.get("auditor", "/events", limit=1000).json()["events"]
    opened = [e for e in events if e["type"] == "NoticeRegistered"][-1]
    assert opened["metadata"]["actor"] == "drafter"
    assert opened["metadata"]["role"] == "drafter"
    assert opened["metadata"]["request_id"] == "req-42"
    assert api.client.get("/health").headers["x-request-id"]


def test_the_event_log_pages_by_position(api: Api) -> None:
    run_campaign(api)
    page = api.get("auditor", "/events", after=0, limit=5).json()
    assert [e["position"] for e in page["events"]] == [1, 2, 3, 4, 5] and page["next_after"] == 5
    rest = api.get("auditor", "/events", after=5, limit=1000).json()
    assert rest["next_after"] is None and rest["events"][0]["position"] == 6
    assert api.get("auditor", "/events", limit=0).status_code in (400, 422)


def test_history_filters_by_unit_indicator_actor_and_type(api: Api) -> None:
    run_campaign(api)
    hcp = scenario.HAOCHAPING.code
    by_type = api.get("auditor", f"{C}/history", type="SubmissionReviewed").json()["items"]
    assert [i["type"] for i in by_type] == ["SubmissionReviewed"] and by_type[0]["reason"]
    by_actor = api.get("auditor", f"{C}/history", actor="bianban-liaison").json()["items"]
    assert {i["type"] for i in by_actor} == {"ConsultationOpinionGiven"}
    refers = ("submission_id", "deduction_id", "appeal_id", "consultation_id")  # followed back (issue 14)
    by_indicator = api.get("auditor", f"{C}/history", indicator=hcp).json()["items"]
    assert by_indicator and all(
        i["data"].get("indicator") == hcp or any(k in i["data"] for k in refers) for i in by_indicator
    )
    assert any(i["type"] == "SubmissionReviewed" for i in by_indicator), "a review names only its submission"
    by_unit = api.get("auditor", f"{C}/history", unit="D41").json()["items"]
    assert by_unit and all("D41" in str(i["data"]) or any(k in i["data"] for k in refers) for i in by_unit)


def test_the_schema_documents_every_route_and_its_errors(api: Api) -> None:
    schema = api.client.get("/schema/openapi.json").json()
    operations = [op for path, item in schema["paths"].items() for op in item.values() if path != "/health"]
    assert len(operations) >= len(ROUTES) + 10
    for op in operations:
        codes = set(op["responses"])
        assert codes & {"401", "404", "422", "503"}, op["operationId"]
    writes = [op for item in schema["paths"].values() for m, op in item.items() if m == "post"]
    for op in writes:
        if op["operationId"] == "signIn":  # changes no stream: 401, 422 and 429 are its refusals
            assert {"401", "422", "429"} <= set(op["responses"])
            continue
        assert {"409", "412", "422"} <= set(op["responses"]), op["operationId"]
    assert api.client.get("/schema").status_code == 200


def _open_body() -> dict[str, Any]:
    from services.api.client import request_for

    _, body = request_for(CAMPAIGN_STEPS[0])
    body["campaign_id"] = "another"
    return body


@pytest.mark.parametrize("user", ["hanbin", "bianban-liaison"])
def test_outside_units_may_not_backdate_or_act_for_others(api: Api, user: str) -> None:
    run_campaign(api)
    r = api.post(user, f"{C}/appeals", {"unit": "C02", "indicator": "X", "reasons": "r"})
    assert r.status_code == 403
