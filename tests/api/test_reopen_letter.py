"""A letter reopened after 签发 goes back to its drafter, and the campaign with it: it can be sent again."""

from __future__ import annotations

import pytest

from services.seed import scenario
from tests.api.conftest import Api
from tests.api.test_seed_through_api import _task, run_campaign

DOC = "letter-1"
C = f"/campaigns/{scenario.CAMPAIGN_ID}"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_reopened_letter_can_be_revised_and_submitted_again(api: Api) -> None:
    run_campaign(api)
    body = {"document_id": DOC, "campaign_id": scenario.CAMPAIGN_ID, "doc_type": "letter", "title": "函"}
    assert api.post("drafter", "/documents", body).status_code == 201
    assert api.post("drafter", f"/documents/{DOC}/submit", {}).status_code == 200
    for user, step in (("section-chief", "check"), ("deputy", "review"), ("director", "sign_off")):
        task = _task(api, DOC, step)
        assert (
            api.post(user, f"/documents/{DOC}/tasks/{task}/approve", {"opinion": "同意"}).status_code == 200
        )
    assert api.get("auditor", C).json()["stage"] == "signed"

    reopened = api.post("director", f"/documents/{DOC}/reopen", {"reason": "成文日期有误"})
    assert reopened.status_code == 200, reopened.text
    assert api.get("auditor", C).json()["stage"] == "reporting"
    history = api.get("auditor", f"{C}/history", type="ReportReturned").json()["items"]
    assert [item["reason"] for item in history] == ["成文日期有误"]

    assert api.post("drafter", f"/documents/{DOC}/submit", {}).status_code == 200
    assert api.get("auditor", C).json()["stage"] == "approving"
