"""The model letter's assessment driven through the HTTP API, each step by a user with the right role."""

from __future__ import annotations

from datetime import date

from domain import campaign
from services.seed import scenario
from tests.api.conftest import Api

CAMPAIGN_STEPS = tuple(
    s.command
    for s in scenario.steps()
    if not isinstance(
        s.command,
        campaign.StartReporting
        | campaign.SubmitReportForApproval
        | campaign.RecordLetterSigned
        | campaign.RecordDispatch,
    )
)
ACTORS = {
    scenario.DRAFTER: "drafter",
    scenario.SECTION_CHIEF: "section-chief",
    scenario.BIANBAN_LIAISON: "bianban-liaison",
    scenario.OFFICE: "office",
}


def run_campaign(api: Api) -> None:
    for command in CAMPAIGN_STEPS:
        api.ok(ACTORS[command.actor], command, scenario.CAMPAIGN_ID)


def run_letter(api: Api) -> str:
    body = {
        "campaign_id": scenario.CAMPAIGN_ID,
        "doc_type": "letter",
        "title": scenario.LETTER_TITLE,
        "content_hash": "0" * 64,
        "at": "2023-03-02T14:00:00+08:00",
    }
    created = api.post("drafter", "/documents", body)
    assert created.status_code == 201, created.text
    doc = created.json()["id"]
    assert (
        api.post("drafter", f"/documents/{doc}/submit", {"at": "2023-03-03T09:00:00+08:00"}).status_code
        == 200
    )
    for user, step, when in (
        ("section-chief", "check", "2023-03-03T15:00:00+08:00"),
        ("deputy", "review", "2023-03-06T10:00:00+08:00"),
        ("director", "sign_off", "2023-03-07T09:30:00+08:00"),
    ):
        task = _task(api, doc, step)
        r = api.post(user, f"/documents/{doc}/tasks/{task}/approve", {"opinion": "同意", "at": when})
        assert r.status_code == 200, r.text
    assert (
        api.post("office", "/registers", {"code": "安行审函", "year": 2023, "next_serial": 7}).status_code
        == 201
    )
    task = _task(api, doc, "numbering")
    r = api.post(
        "office",
        f"/documents/{doc}/tasks/{task}/number",
        {"code": "安行审函", "year": 2023, "at": "2023-03-07T11:00:00+08:00"},
    )
    assert r.status_code == 200, r.text
    task = _task(api, doc, "dispatch")
    r = api.post(
        "office",
        f"/documents/{doc}/tasks/{task}/dispatch",
        {"recipient": "市作风办", "channel": "电子公文交换", "at": "2023-03-07T16:00:00+08:00"},
    )
    assert r.status_code == 200, r.text
    return str(doc)


def _task(api: Api, doc: str, step: str) -> str:
    view = api.get("auditor", f"/documents/{doc}").json()
    (task,) = [t for t in view["open_tasks"] if t["step"] == step]
    return str(task["task_id"])


def test_the_seed_assessment_runs_through_the_api(api: Api) -> None:
    run_campaign(api)
    doc = run_letter(api)

    overview = api.get("auditor", f"/campaigns/{scenario.CAMPAIGN_ID}").json()
    assert overview["stage"] == "dispatched"
    assert overview["counts"]["units"] == 54 and overview["counts"]["undetermined_cells"] == 0

    table = api.get("section-chief", f"/campaigns/{scenario.CAMPAIGN_ID}/scores").json()
    assert [r["unit_name"] for r in table["rows"]] == [u.name for u in scenario.UNITS]
    assert {c["display"] for r in table["rows"] for c in r["cells"]} == {"100分", "不扣分"}
    assert [[c["display"] for c in r["cells"]] for r in table["rows"]] == [["100分", "不扣分"]] * 54

    letter = api.get("auditor", f"/documents/{doc}").json()
    assert letter["number"] == "安行审函〔2023〕7号"
    assert letter["signed_on"] == date(2023, 3, 7).isoformat()
    assert letter["dispatched_to"] == "市作风办"
    assert [d["actor"] for d in letter["decisions"]][:3] == ["section-chief", "deputy", "director"]


def test_an_assessed_unit_sees_only_its_own_row_and_history(api: Api) -> None:
    run_campaign(api)
    table = api.get("hanbin", f"/campaigns/{scenario.CAMPAIGN_ID}/scores").json()
    assert [r["unit_code"] for r in table["rows"]] == ["C01"]
    history = api.get("hanbin", f"/campaigns/{scenario.CAMPAIGN_ID}/history").json()
    assert history["items"], "its determinations are visible"
    for item in history["items"]:
        assert "C01" in str(item["data"])
    assert api.get("hanbin", "/events").status_code == 403
    assert api.get("hanbin", "/documents").status_code == 403


def test_scores_as_of_an_earlier_position_show_the_earlier_table(api: Api) -> None:
    run_campaign(api)
    history = api.get("auditor", f"/campaigns/{scenario.CAMPAIGN_ID}/history", type="ScoreDetermined").json()
    before = history["items"][0]["position"] - 1
    earlier = api.get("auditor", f"/campaigns/{scenario.CAMPAIGN_ID}/scores", as_of=before).json()
    assert {c["display"] for r in earlier["rows"] for c in r["cells"]} == {None}
    assert earlier["as_of_position"] == before
    now = api.get("auditor", f"/campaigns/{scenario.CAMPAIGN_ID}/scores").json()
    assert {c["display"] for r in now["rows"] for c in r["cells"]} == {"100分", "不扣分"}
