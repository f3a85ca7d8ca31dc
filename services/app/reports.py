"""Report requests and their progress: the request is an event (``Core.request_report``); a worker renders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime, Engine, Integer, String, Text, select
from sqlmodel import Field, SQLModel

from domain import reports
from domain.shared.errors import NotFound
from services.app.commands import Aggregate, CommandRunner
from services.app.replay import stream_ids
from services.infra.db import reader
from services.infra.logs import get_logger

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
    if state.status is reports.ReportStatus.FAILED:
        return ReportStatusView(state, "failed", row.percent if row else 0, state.last_failure)
    if state.status is reports.ReportStatus.CANCELLED:
        return ReportStatusView(state, "cancelled", row.percent if row else 0, state.last_failure)
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
    """Reports requested and not yet ended (rendered, failed or cancelled): what the sweep sends again.

    A failed rendering is not sent again: it failed for a reason recorded in the log, and only an official
    asking anew (a new request) renders it again.
    """
    pending = []
    for stream_id in stream_ids(runner, "report-"):
        state, _ = runner.load(REPORT, stream_id)
        if state.status is reports.ReportStatus.REQUESTED:
            pending.append(state.report_id)
    return pending
