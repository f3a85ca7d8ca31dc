"""Issue 13: a task is transferred, delegated or given an added signer only to an active role holder."""

from __future__ import annotations

from sqlalchemy import update

from domain.shared.identity import Role
from services.identity.accounts import users_table
from services.seed import scenario
from tests.api.conftest import Api
from tests.api.test_pages_auth import sign_in
from tests.api.test_seed_through_api import _task, run_campaign


def letter_at_check(api: Api) -> str:
    run_campaign(api)
    body = {
        "campaign_id": scenario.CAMPAIGN_ID,
        "doc_type": "letter",
        "title": scenario.LETTER_TITLE,
        "content_hash": "0" * 64,
    }
    created = api.post("drafter", "/documents", body)
    assert created.status_code == 201, created.text
    doc = str(created.json()["id"])
    assert api.post("drafter", f"/documents/{doc}/submit", {}).status_code == 200
    return doc


def refused(api: Api, user: str, path: str, body: dict[str, str], field: str, code: str) -> None:
    head = api.log_head()
    r = api.post(user, path, body)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == code and r.json()["errors"][0]["field"] == field
    assert api.log_head() == head, "a refused hand-over writes nothing"


def test_check_is_not_transferred_to_the_office_nor_to_someone_who_does_not_exist(api: Api) -> None:
    doc = letter_at_check(api)
    task = _task(api, doc, "check")
    path = f"/documents/{doc}/tasks/{task}"
    refused(api, "section-chief", f"{path}/transfer", {"to": "office"}, "to", "assignee_lacks_role")
    refused(api, "section-chief", f"{path}/transfer", {"to": "no-such-person-xyz"}, "to", "unknown_assignee")
    refused(api, "section-chief", f"{path}/delegate", {"to": "auditor"}, "to", "assignee_lacks_role")
    refused(api, "section-chief", f"{path}/delegate", {"to": "ghost"}, "to", "unknown_assignee")
    (open_task,) = api.get("auditor", f"/documents/{doc}").json()["open_tasks"]
    assert open_task["assignee"] is None and open_task["role"] == "section_chief"
    # The office cannot approve 核稿 either way: not its role.
    assert api.post("office", f"{path}/approve", {"opinion": "同意"}).status_code == 403

    api.container.identity.add_user("section-chief-2", Role.SECTION_CHIEF, "Kaohe-Test-2026!")
    r = api.post("section-chief", f"{path}/transfer", {"to": "section-chief-2"})
    assert r.status_code == 200, r.text
    (open_task,) = api.get("auditor", f"/documents/{doc}").json()["open_tasks"]
    assert open_task["assignee"] == "section-chief-2"


def test_review_is_not_left_with_a_holder_who_does_not_exist_or_is_disabled(api: Api) -> None:
    doc = letter_at_check(api)
    task = _task(api, doc, "check")
    assert api.post("section-chief", f"/documents/{doc}/tasks/{task}/approve", {}).status_code == 200
    review = _task(api, doc, "review")
    path = f"/documents/{doc}/tasks/{review}/transfer"
    refused(api, "deputy", path, {"to": "no-such-person-xyz"}, "to", "unknown_assignee")
    api.container.identity.add_user("deputy-2", Role.DEPUTY_DIRECTOR, "Kaohe-Test-2026!")
    with api.container.engine.begin() as conn:
        conn.execute(update(users_table).where(users_table.c.name == "deputy-2").values(disabled=True))
    refused(api, "deputy", path, {"to": "deputy-2"}, "to", "unknown_assignee")
    (open_task,) = api.get("auditor", f"/documents/{doc}").json()["open_tasks"]
    assert open_task["step"] == "review" and open_task["assignee"] is None


def test_the_page_says_in_chinese_why_a_transfer_is_refused(api: Api) -> None:
    doc = letter_at_check(api)
    task = _task(api, doc, "check")
    head = api.log_head()
    token = sign_in(api.client, "section-chief")
    form = {"to": "office", "reason": "", "_csrf": token, "form_id": "f-1"}
    r = api.client.post(f"/ui/documents/{doc}/tasks/{task}/transfer", data=form, follow_redirects=False)
    assert r.status_code == 409 and "不具有该环节要求的角色" in r.text
    form = {**form, "to": "no-such-person-xyz", "form_id": "f-2"}
    r = api.client.post(f"/ui/documents/{doc}/tasks/{task}/transfer", data=form, follow_redirects=False)
    assert r.status_code == 409 and "所选人员不存在或已停用" in r.text
    assert api.log_head() == head


def test_a_co_lead_unit_hands_its_countersign_only_to_its_own_body(api: Api) -> None:
    run_campaign(api)
    body = {
        "document_id": "letter-1",
        "campaign_id": scenario.CAMPAIGN_ID,
        "doc_type": "letter",
        "title": scenario.LETTER_TITLE,
        "content_hash": "0" * 64,
        "countersign": ["bianban-liaison"],
    }
    assert api.post("drafter", "/documents", body).status_code == 201
    assert api.post("drafter", "/documents/letter-1/submit", {}).status_code == 200
    check = _task(api, "letter-1", "check")
    assert api.post("section-chief", f"/documents/letter-1/tasks/{check}/approve", {}).status_code == 200
    seat = _task(api, "letter-1", "countersign")
    identity = api.container.identity
    identity.organisations.add("市发改委", "city_department")
    identity.add_user("fagai-liaison", Role.CO_LEAD_UNIT, "Kaohe-Test-2026!", "市发改委")
    identity.add_user("bianban-2", Role.CO_LEAD_UNIT, "Kaohe-Test-2026!", "市委编办")
    path = f"/documents/letter-1/tasks/{seat}/transfer"
    head = api.log_head()
    r = api.post("bianban-liaison", path, {"to": "fagai-liaison"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "to"
    assert api.log_head() == head
    assert api.post("bianban-liaison", path, {"to": "bianban-2"}).status_code == 200
