"""Reports always reach an end: a template that loops, errs, recurses or reaches for internals ends as a
recorded failure with a reason in Chinese, within the limit; nothing sends it again; a report can be
cancelled; and the worker is free for the next report."""

from __future__ import annotations

import time

import pytest

from services.app.reports import pending_reports
from tests.api.conftest import Api
from tests.api.test_reports_api import render_pending
from tests.api.test_seed_through_api import run_campaign
from workers.reports import sandbox

C = "/campaigns/zuofeng-2022"
BAD_TEMPLATES = {
    "loops": (
        "{% for i in range(9999) %}{% for j in range(9999) %}{% for k in range(9999) %}"
        "{% endfor %}{% endfor %}{% endfor %}",
        "超过时限",
    ),
    "floods": (
        "{% for i in range(9999) %}{% for j in range(9999) %}{{ i }}{% endfor %}{% endfor %}",
        "输出超过",
    ),
    "undefined": ("# 总体情况\n\n{{ nope }}", "不存在的内容"),
    "internals": ("{{ ''.__class__.__mro__ }}", "不允许的操作"),
    "recursion": ("{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(1) }}", "递归过深"),
    "huge range": ("{% for i in range(100000000) %}x{% endfor %}", "不允许的操作"),
}


def set_template(api: Api, text: str) -> None:
    body = {"report_type": "assessment_result_letter", "text": text, "reason": "试用本任务的文稿"}
    response = api.post("drafter", f"{C}/report-templates", body)
    assert response.status_code == 200, response.text


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_bad_template_ends_as_a_recorded_failure_within_the_limit(api: Api) -> None:
    run_campaign(api)
    for name, (text, why) in BAD_TEMPLATES.items():
        set_template(api, text)
        report_id = api.post("drafter", f"{C}/reports", {}).json()["report_id"]
        started = time.monotonic()
        assert render_pending(api, report_id) == "failed", name
        assert time.monotonic() - started < sandbox.SECONDS + 8, name
        view = api.get("auditor", f"/reports/{report_id}").json()
        assert view["status"] == "failed" and why in view["reason"], (name, view)
        events = api.container.store.read_stream(f"report-{report_id}")
        assert [e.type for e in events] == ["ReportRequested", "ReportFailed"], name
        assert report_id not in pending_reports(api.container.runner), "a failure is not sent again"
        assert render_pending(api, report_id) == "failed", "and a second delivery renders nothing"

    set_template(api, "# 总体情况\n\n{{ year }}年度考核由{{ office }}认定。")
    report_id = api.post("drafter", f"{C}/reports", {}).json()["report_id"]
    assert render_pending(api, report_id) == "rendered"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_queued_report_is_cancelled_and_a_rendered_one_is_not(api: Api) -> None:
    run_campaign(api)
    report_id = api.post("drafter", f"{C}/reports", {}).json()["report_id"]
    refused = api.post("hanbin", f"/reports/{report_id}/cancel", {"reason": "不要了"})
    assert refused.status_code == 403
    cancelled = api.post("drafter", f"/reports/{report_id}/cancel", {"reason": "模板要改"})
    assert cancelled.status_code == 200, cancelled.text
    view = api.get("auditor", f"/reports/{report_id}").json()
    assert (view["status"], view["reason"]) == ("cancelled", "模板要改")
    assert render_pending(api, report_id) == "cancelled"
    assert report_id not in pending_reports(api.container.runner)

    done = api.post("drafter", f"{C}/reports", {}).json()["report_id"]
    assert render_pending(api, done) == "rendered"
    again = api.post("drafter", f"/reports/{done}/cancel", {"reason": "晚了"})
    assert again.status_code == 409 and again.json()["code"] == "report_already_rendered"
    assert api.post("drafter", "/reports/no-such/cancel", {"reason": "x"}).status_code == 404
