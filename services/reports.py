"""Report requests and their progress: the request is an event; rendering happens in a worker."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime, Engine, Integer, String, Text, select
from sqlmodel import Field, SQLModel

from domain import reports
from domain.errors import NotFound
from services.broker import RENDER
from services.commands import Actor, Aggregate, CommandResult, CommandRunner, RequestInfo
from services.db import reader
from services.logs import get_logger
from services.queries import stream_ids
from services.usecases import CAMPAIGN, DOCUMENT

REPORT: Aggregate[reports.ReportState] = Aggregate("report", reports.fold, reports.decide)
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
log = get_logger("kaohe.reports")


class ReportProgressRow(SQLModel, table=True):
    """Operational, not history: how far a rendering has got. The outcome itself is an event."""

    __tablename__ = "report_progress"

    report_id: str = Field(sa_column=Column(String(100), primary_key=True))
    status: str = Field(sa_column=Column(String(20), nullable=False))
    percent: int = Field(sa_column=Column(Integer, nullable=False))
    reason: str = Field(sa_column=Column(Text, nullable=False, default=""))
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


progress_table = ReportProgressRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ReportStatusView:
    state: reports.ReportState
    status: str
    percent: int
    reason: str


def request_report(
    runner: CommandRunner,
    campaign_id: str,
    actor: Actor,
    request: RequestInfo,
    *,
    as_of: int | None = None,
    mode: str | None = None,
) -> CommandResult:
    """Record the request: the letter as of ``as_of`` (default: now), final if it has its 文号 by then."""
    head = runner.store.head().position
    position = head if as_of is None else as_of
    if not 0 <= position <= head:
        raise reports.InvalidReportRequest(f"as_of must be a position from 0 to {head}", as_of=position)
    campaign, _ = runner.load_as_of(CAMPAIGN, CAMPAIGN.stream_id(campaign_id), position)
    if campaign.stage is None:
        raise NotFound(f"no campaign {campaign_id} (as of position {position})")
    document_id = campaign.report.document_id if campaign.report else None
    numbered = False
    if document_id:
        doc, _ = runner.load_as_of(DOCUMENT, DOCUMENT.stream_id(document_id), position)
        numbered = doc.number is not None
    chosen = (
        reports.ReportMode(mode)
        if mode
        else (reports.ReportMode.FINAL if numbered else reports.ReportMode.DRAFT)
    )
    report_id = (
        str(uuid.uuid5(uuid.NAMESPACE_URL, request.idempotency_key))
        if request.idempotency_key
        else str(uuid.uuid4())
    )
    command = reports.RequestReport(
        at=datetime.now(UTC), actor=actor.user_id, report_id=report_id, campaign_id=campaign_id,
        as_of_position=position, mode=chosen, document_id=document_id,
    )  # fmt: skip
    return runner.execute(REPORT, report_id, command, actor, request)


def report_status(runner: CommandRunner, report_id: str) -> ReportStatusView:
    state, _ = runner.load(REPORT, REPORT.stream_id(report_id))
    if state.status is reports.ReportStatus.NEW:
        raise NotFound(f"no report {report_id}")
    if state.status is reports.ReportStatus.RENDERED:
        return ReportStatusView(state, "done", 100, "")
    with reader(runner.store.engine).connect() as conn:
        row = conn.execute(
            select(progress_table).where(progress_table.c.report_id == report_id)
        ).one_or_none()
    if state.status is reports.ReportStatus.FAILED and (row is None or row.status == "failed"):
        return ReportStatusView(state, "failed", row.percent if row else 0, state.last_failure)
    if row is None:
        return ReportStatusView(state, "queued", 0, "")
    return ReportStatusView(state, row.status, row.percent, row.reason)


def set_progress(engine: Engine, report_id: str, status: str, percent: int, reason: str = "") -> None:
    values: dict[str, Any] = {
        "report_id": report_id, "status": status, "percent": percent, "reason": reason,
        "updated_at": datetime.now(UTC),
    }  # fmt: skip
    with engine.begin() as conn:
        updated = conn.execute(
            progress_table.update().where(progress_table.c.report_id == report_id).values(**values)
        ).rowcount
        if not updated:
            conn.execute(progress_table.insert().values(**values))


def pending_reports(runner: CommandRunner) -> list[str]:
    """Reports requested but neither rendered nor given up on: what the sweep sends again."""
    pending = []
    for stream_id in stream_ids(runner, "report-"):
        state, _ = runner.load(REPORT, stream_id)
        if state.status is reports.ReportStatus.REQUESTED or (
            state.status is reports.ReportStatus.FAILED and state.attempts < MAX_ATTEMPTS
        ):
            pending.append(state.report_id)
    return pending


MAX_ATTEMPTS = 3


def send_render(app: Any, report_ids: list[str]) -> None:
    """Ask the workers to render, from a background thread: a slow or absent broker never delays a request."""

    def send() -> None:
        for report_id in report_ids:
            try:
                app.send_task(RENDER, kwargs={"report_id": report_id}, retry=False)
            except Exception as exc:  # the request is recorded; the sweep sends it again
                log.warning("render_not_sent", report_id=report_id, error=f"{exc.__class__.__name__}: {exc}")
                return

    threading.Thread(target=send, name="kaohe-render-send", daemon=True).start()
