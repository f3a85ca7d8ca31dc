"""Render a requested report from the log as of its position; store the files; record the outcome."""

from __future__ import annotations

from datetime import UTC, date, datetime

from celery.exceptions import SoftTimeLimitExceeded

from domain import reports
from domain.shared.calendar import business_date
from services.app.commands import Actor, CommandRunner, RequestInfo
from services.app.reports import MAX_ATTEMPTS, REPORT, set_progress, start_attempt
from services.app.usecases import CAMPAIGN, DOCUMENT
from services.eventstore.errors import ConcurrencyError
from services.infra.artifacts import ArtifactStore
from services.infra.logs import get_logger
from services.letters.build import build_model
from services.letters.model import ReportModelError
from workers.policy import TRANSIENT
from workers.reports.render import render_all

log = get_logger("kaohe.reports.render")
WORKER = Actor("kaohe-worker", "kaohe-worker", "system")
RETRIED: tuple[type[Exception], ...] = (*TRANSIENT, OSError)


def render_report(
    runner: CommandRunner, store: ArtifactStore, report_id: str, limit_seconds: float | None = None
) -> str:
    """Idempotent: a rendered report is left alone; a crash mid-way leaves no file half-written
    (artifacts are written whole, by content) and the next delivery renders again, byte for byte."""
    state, _ = runner.load(REPORT, REPORT.stream_id(report_id))
    if state.status is reports.ReportStatus.NEW:
        log.warning("report_unknown", report_id=report_id)
        return "unknown"
    if state.status is reports.ReportStatus.RENDERED:
        return "already rendered"
    if state.status in (reports.ReportStatus.CANCELLED, reports.ReportStatus.FAILED):
        return str(state.status.value)  # a failure is rendered again only when someone asks anew
    engine = runner.store.engine
    started = start_attempt(engine, report_id)
    if started > MAX_ATTEMPTS:  # the earlier ones never ended: their worker was killed or timed out
        log.error("report_render_abandoned", report_id=report_id, attempts=started - 1)
        return _fail(
            runner, state, f"生成中断{started - 1}次（处理进程退出或超时），已停止；请检查模板后重新申请"
        )
    try:
        artifacts = _render(runner, store, state, engine)
    except SoftTimeLimitExceeded:
        log.error("report_render_timed_out", report_id=report_id, attempt=started)
        return _fail(runner, state, _timed_out(limit_seconds))
    except RETRIED:
        raise  # the database or the disk, not the report: retried (task policy), or sent again by the sweep
    except Exception as exc:  # anything else ends the report, with a reason an official can read
        why = str(exc) if isinstance(exc, ReportModelError) else f"生成失败：{type(exc).__name__}: {exc}"
        if not isinstance(exc, ReportModelError):
            log.exception("report_render_failed", report_id=report_id)
        return _fail(runner, state, why)
    sizes = {fmt: size for fmt, (_, size) in artifacts.items()}
    hashes = {fmt: digest for fmt, (digest, _) in artifacts.items()}
    command = reports.RecordReportRendered(
        at=_now(), actor=WORKER.user_id, as_of_position=state.as_of_position, artifacts=hashes, sizes=sizes
    )
    _record(runner, report_id, command)
    set_progress(engine, report_id, "done", 100)
    return "rendered"


def _timed_out(seconds: float | None) -> str:
    limit = f"{seconds:.0f}秒" if seconds else "规定时间"
    return f"生成超过时限（{limit}），已停止；请检查模板或联系管理员"


def _fail(runner: CommandRunner, state: reports.ReportState, why: str) -> str:
    set_progress(runner.store.engine, state.report_id, "failed", 0, why)
    failed = reports.RecordReportFailed(
        at=_now(), actor=WORKER.user_id, reason=why, attempt=state.attempts + 1
    )
    _record(runner, state.report_id, failed)
    return "failed"


def _render(
    runner: CommandRunner, store: ArtifactStore, state: reports.ReportState, engine: object
) -> dict[str, tuple[str, int]]:
    position = state.as_of_position
    campaign, _ = runner.load_as_of(CAMPAIGN, CAMPAIGN.stream_id(state.campaign_id), position)
    doc = None
    if state.document_id:
        doc, _ = runner.load_as_of(DOCUMENT, DOCUMENT.stream_id(state.document_id), position)
    template = campaign.report_templates.get("assessment_result_letter")  # the campaign's own wording
    model = build_model(
        campaign, doc, position, state.mode, on=_record_date(runner, state), template=template
    )

    def progress(percent: int) -> None:
        set_progress(runner.store.engine, state.report_id, "rendering", max(1, min(99, percent)))

    rendered = render_all(model, progress=progress)
    stored = {}
    for fmt in state.formats:
        artifact = rendered[fmt]
        stored[fmt] = (store.put(artifact.data), len(artifact.data))
    return stored


def _record_date(runner: CommandRunner, state: reports.ReportState) -> date:
    """A draft's date: the business day of the campaign's last event at the position (same P, same date)."""
    events = runner.store.read_stream(CAMPAIGN.stream_id(state.campaign_id), to_position=state.as_of_position)
    if not events:
        return date(2000, 1, 1)
    return business_date(datetime.fromisoformat(events[-1].data["at"]))


def _record(runner: CommandRunner, report_id: str, command: object) -> None:
    for _ in range(3):
        try:
            runner.execute(REPORT, report_id, command, WORKER, RequestInfo())
            return
        except ConcurrencyError:  # another delivery recorded meanwhile; decide again on the new state
            continue


def _now() -> datetime:
    return datetime.now(UTC)
