"""Reports always reach an end. A template that loops, errs, recurses or reaches for internals is refused
when it is set (tried on the seed's letter within the limits); one recorded before that check ends as a
recorded failure with a reason in Chinese, within the limit; nothing sends it again; a report can be
cancelled; a render that keeps killing its worker is stopped; and the worker is free for the next report."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.campaign.templates import SetReportTemplate
from services.app.commands import Actor, RequestInfo
from services.app.reports import MAX_ATTEMPTS, pending_reports, start_attempt
from services.app.usecases import CAMPAIGN
from services.letters import sandbox
from tests.api.conftest import Api
from tests.api.test_reports_api import render_pending
from tests.api.test_seed_through_api import run_campaign
from tests.workers.procs import KAOHE, base_env, start, stop

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


def record_template_unchecked(api: Api, text: str) -> None:
    """As a template recorded before templates were tried at set time is found in the log."""
    command = SetReportTemplate(
        at=datetime.now(UTC), actor="drafter", report_type="assessment_result_letter", template=text,
        reason="旧版本记录的模板",
    )  # fmt: skip
    actor = Actor("drafter", "drafter", "drafter")
    api.container.runner.execute(CAMPAIGN, "zuofeng-2022", command, actor, RequestInfo())


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_bad_template_is_refused_when_set_and_the_log_is_unchanged(api: Api) -> None:
    run_campaign(api)
    for name, (text, why) in BAD_TEMPLATES.items():
        head = api.log_head()
        started = time.monotonic()
        body = {"report_type": "assessment_result_letter", "text": text, "reason": "试用"}
        refused = api.post("drafter", f"{C}/report-templates", body)
        assert refused.status_code == 422, (name, refused.text)
        problem = refused.json()
        assert problem["errors"][0]["field"] == "text" and why in problem["errors"][0]["message"], problem
        assert time.monotonic() - started < sandbox.SECONDS + 8, name
        assert api.log_head() == head, name
    set_template(api, "# 总体情况\n\n{{ year }}年度考核由{{ office }}认定。")


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_bad_template_recorded_earlier_ends_as_a_recorded_failure_within_the_limit(api: Api) -> None:
    run_campaign(api)
    for name, (text, why) in BAD_TEMPLATES.items():
        record_template_unchecked(api, text)
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


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_render_that_keeps_killing_its_worker_is_stopped_and_recorded(api: Api) -> None:
    run_campaign(api)
    report_id = api.post("drafter", f"{C}/reports", {}).json()["report_id"]
    engine = api.container.engine
    for _ in range(MAX_ATTEMPTS):  # each started and never ended: the worker died mid-render
        start_attempt(engine, report_id)
    assert render_pending(api, report_id) == "failed"
    view = api.get("auditor", f"/reports/{report_id}").json()
    assert view["status"] == "failed" and f"生成中断{MAX_ATTEMPTS}次" in view["reason"], view
    assert report_id not in pending_reports(api.container.runner)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_sweep_resends_only_a_report_quiet_for_longer_than_a_render(api: Api) -> None:
    run_campaign(api)
    report_id = api.post("drafter", f"{C}/reports", {}).json()["report_id"]
    runner = api.container.runner
    assert report_id in pending_reports(runner), "without a window: every pending report"
    assert report_id not in pending_reports(runner, quiet_for=timedelta(minutes=3)), "just requested"
    assert report_id in pending_reports(runner, quiet_for=timedelta(0)), "quiet for long enough"
    start_attempt(api.container.engine, report_id)
    assert report_id not in pending_reports(runner, quiet_for=timedelta(minutes=3)), "rendering now"


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_real_report_worker_stops_a_render_at_its_time_limit_and_takes_the_next(
    api: Api, tmp_path: Path
) -> None:
    """`kaohe worker --queues reports --pool prefork` with KAOHE_RENDER_SECONDS=2: a template that loops
    (recorded before templates were tried) is stopped by Celery's soft limit long before the sandbox's own
    10 s, recorded as failed with the limit named, and the worker renders the next report."""
    settings = api.container.settings
    run_campaign(api)
    record_template_unchecked(api, BAD_TEMPLATES["loops"][0])
    env = base_env(settings.data_dir, KAOHE_DATABASE_URL=settings.database_url, KAOHE_RENDER_SECONDS="2")
    argv = [*KAOHE, "worker", "--queues", "reports", "--pool", "prefork", "--concurrency", "1"]
    worker = start(argv, env, tmp_path / "worker.log")
    try:
        slow = api.post("drafter", f"{C}/reports", {}).json()["report_id"]
        view = ended(api, slow)
        assert view["status"] == "failed" and "生成超过时限（2秒）" in view["reason"], view
        record_template_unchecked(api, "# 总体情况\n\n{{ year }}年度考核。")
        assert ended(api, api.post("drafter", f"{C}/reports", {}).json()["report_id"])["status"] == "done"
    finally:
        stop(worker)


def ended(api: Api, report_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 90
    view: dict[str, Any] = {}
    while time.monotonic() < deadline:
        view = api.get("auditor", f"/reports/{report_id}").json()
        if view["status"] in ("done", "failed", "cancelled"):
            return view
        time.sleep(0.3)
    return view
