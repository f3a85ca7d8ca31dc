"""Report requests and their progress: the request is an event (``Core.request_report``); a worker renders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Column, DateTime, Engine, Integer, String, Text, select
from sqlmodel import Field, SQLModel

from domain import reports
from domain.shared.errors import NotFound
from services.app.commands import Aggregate, CommandRunner
from services.app.replay import stream_ids
from services.eventstore.store import utc
from services.infra.db import reader
from services.infra.logs import get_logger

REPORT: Aggregate[reports.ReportState] = Aggregate("report", reports.fold, reports.decide)
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
log = get_logger("kaohe.reports")
MAX_ATTEMPTS = 3
"""Renderings of one report that may start; the next delivery records a failure instead."""


class ReportProgressRow(SQLModel, table=True):
    """Operational, not history: how far a rendering has got. The outcome itself is an event."""

    __tablename__ = "report_progress"

    report_id: str = Field(sa_column=Column(String(100), primary_key=True))
    status: str = Field(sa_column=Column(String(20), nullable=False))
    percent: int = Field(sa_column=Column(Integer, nullable=False))
    reason: str = Field(sa_column=Column(Text, nullable=False, default=""))
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    attempts: int = Field(sa_column=Column(Integer, nullable=False, default=0, server_default="0"))
    """Renderings started. One that never ended (its worker was killed) still counts, so a report whose
    rendering keeps killing its worker is stopped after ``MAX_ATTEMPTS`` instead of looping."""


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
            conn.execute(progress_table.insert().values(**values, attempts=0))


def start_attempt(engine: Engine, report_id: str) -> int:
    """Count a rendering as started (status "rendering", 1%) and return how many have started so far."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        row = conn.execute(
            progress_table.update()
            .where(progress_table.c.report_id == report_id)
            .values(status="rendering", percent=1, reason="", updated_at=now,
                    attempts=progress_table.c.attempts + 1)
            .returning(progress_table.c.attempts)
        ).one_or_none()  # fmt: skip
        if row is not None:
            return int(row[0])
        conn.execute(
            progress_table.insert().values(
                report_id=report_id, status="rendering", percent=1, reason="", updated_at=now, attempts=1
            )
        )
    return 1


def pending_reports(runner: CommandRunner, quiet_for: timedelta | None = None) -> list[str]:
    """Reports requested and not yet ended (rendered, failed or cancelled): what the sweep sends again.

    With ``quiet_for``, only those whose progress has not moved for that long (or that have no progress
    at all): a report waiting its turn in the queue, or rendering now, is not sent a second time.

    A failed rendering is not sent again: it failed for a reason recorded in the log, and only an official
    asking anew (a new request) renders it again.
    """
    moved: dict[str, datetime] = {}
    if quiet_for is not None:
        with reader(runner.store.engine).connect() as conn:
            rows = conn.execute(select(progress_table.c.report_id, progress_table.c.updated_at)).all()
        moved = {r.report_id: utc(r.updated_at) for r in rows}
    cutoff = datetime.now(UTC) - (quiet_for or timedelta(0))
    pending = []
    for stream_id in stream_ids(runner, "report-"):
        state, _ = runner.load(REPORT, stream_id)
        if state.status is not reports.ReportStatus.REQUESTED:
            continue
        last = moved.get(state.report_id, utc(state.requested_at) if state.requested_at else None)
        if quiet_for is None or last is None or last <= cutoff:
            pending.append(state.report_id)
    return pending
