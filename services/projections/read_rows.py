"""The read models' questions, asked of a projection's active generation or answered from the log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from services.eventstore.store import utc
from services.projections.tables import inbox_table, overview_table, timeline_table

INBOX_FIELDS = ("document_id", "title", "task_id", "step", "assignee", "role", "since", "owner")
TIMELINE_FIELDS = (
    "position", "stream_id", "campaign_id", "document_id", "unit", "type", "recorded_at", "at", "actor",
    "role", "action", "opinion", "basis",
)  # fmt: skip
OVERVIEW_FIELDS = (
    "campaign_id", "title", "notice_number", "year", "stage", "assessing_unit", "report_to",
    "collection_deadline", "appeal_window_end", "counts", "stream_version", "last_position",
)  # fmt: skip


def pick(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The wire fields of a row; times in UTC whichever database stored them (SQLite gives naive ones)."""
    return {f: utc(row[f]) if isinstance(row[f], datetime) else row[f] for f in fields}


def _mine(user: str, role: str) -> Any:
    c = inbox_table.c
    return or_(c.assignee == user, and_(c.assignee.is_(None), c.role == role))


def inbox_rows(conn: Connection, generation: int, user: str, role: str) -> list[dict[str, Any]]:
    c = inbox_table.c
    stmt = select(*(c[f] for f in INBOX_FIELDS)).where(c.generation == generation, _mine(user, role))
    rows = conn.execute(stmt.order_by(c.since, c.document_id, c.task_id)).mappings()
    return [pick(r, INBOX_FIELDS) for r in rows]


def timeline_rows(
    conn: Connection, generation: int, *, campaign_id: str | None = None, document_id: str | None = None,
    unit: str | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    c = timeline_table.c
    stmt = select(*(c[f] for f in TIMELINE_FIELDS)).where(c.generation == generation)
    if campaign_id is not None:
        stmt = stmt.where(c.campaign_id == campaign_id)
    if document_id is not None:
        stmt = stmt.where(c.document_id == document_id)
    if unit is not None:
        stmt = stmt.where(c.unit == unit)
    return [pick(r, TIMELINE_FIELDS) for r in conn.execute(stmt.order_by(c.position)).mappings()]


def overview_rows(conn: Connection, generation: int) -> list[dict[str, Any]]:
    c = overview_table.c
    stmt = select(*(c[f] for f in OVERVIEW_FIELDS)).where(c.generation == generation)
    return [pick(r, OVERVIEW_FIELDS) for r in conn.execute(stmt.order_by(c.campaign_id)).mappings()]
