"""The read models' questions, asked of a projection's active generation or answered from the log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from domain import approval
from services.commands import CommandRunner
from services.eventstore.store import utc
from services.projections.inbox import task_rows
from services.projections.overview import overview_row
from services.projections.tables import inbox_table, overview_table, timeline_table
from services.projections.timeline import Where, campaign_where, document_where, line_row
from services.queries import document_states, stream_ids
from services.usecases import CAMPAIGN, DOCUMENT

INBOX_FIELDS = ("document_id", "title", "task_id", "step", "assignee", "role", "since", "owner")
TIMELINE_FIELDS = (
    "position", "stream_id", "campaign_id", "document_id", "unit", "type", "recorded_at", "at", "actor",
    "role", "action", "opinion", "basis",
)  # fmt: skip
OVERVIEW_FIELDS = (
    "campaign_id", "title", "notice_number", "year", "stage", "assessing_unit", "report_to",
    "collection_deadline", "appeal_window_end", "counts", "stream_version", "last_position",
)  # fmt: skip


def _pick(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The wire fields of a row; times in UTC whichever database stored them (SQLite gives naive ones)."""
    return {f: utc(row[f]) if isinstance(row[f], datetime) else row[f] for f in fields}


def _mine(user: str, role: str) -> Any:
    c = inbox_table.c
    return or_(c.assignee == user, and_(c.assignee.is_(None), c.role == role))


def inbox_rows(conn: Connection, generation: int, user: str, role: str) -> list[dict[str, Any]]:
    c = inbox_table.c
    stmt = select(*(c[f] for f in INBOX_FIELDS)).where(c.generation == generation, _mine(user, role))
    rows = conn.execute(stmt.order_by(c.since, c.document_id, c.task_id)).mappings()
    return [_pick(r, INBOX_FIELDS) for r in rows]


def inbox_from_log(runner: CommandRunner, user: str, role: str) -> list[dict[str, Any]]:
    found = []
    for doc_id, state in document_states(runner):
        for row in task_rows(0, doc_id, state, 0):
            if row["assignee"] == user or (row["assignee"] is None and row["role"] == role):
                found.append(_pick(row, INBOX_FIELDS))
    return sorted(found, key=lambda r: (r["since"], r["document_id"], r["task_id"]))


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
    return [_pick(r, TIMELINE_FIELDS) for r in conn.execute(stmt.order_by(c.position)).mappings()]


def campaign_timeline_from_log(
    runner: CommandRunner, campaign_id: str, unit: str | None
) -> list[dict[str, Any]]:
    stream_id = CAMPAIGN.stream_id(campaign_id)
    state, _ = runner.load(CAMPAIGN, stream_id)
    lines = [_line(e, campaign_where(e, state)) for e in runner.store.read_stream(stream_id)]
    for doc_id, doc in document_states(runner):
        if doc.campaign_id == campaign_id:
            lines += _document_lines(runner, doc_id, doc)
    lines = [line for line in lines if unit is None or line["unit"] == unit]
    return sorted(lines, key=lambda line: int(line["position"]))


def document_timeline_from_log(runner: CommandRunner, document_id: str) -> list[dict[str, Any]]:
    state, _ = runner.load(DOCUMENT, DOCUMENT.stream_id(document_id))
    return _document_lines(runner, document_id, state)


def _document_lines(
    runner: CommandRunner, document_id: str, state: approval.DocumentState
) -> list[dict[str, Any]]:
    events = runner.store.read_stream(DOCUMENT.stream_id(document_id))
    return [_line(e, document_where(e, state)) for e in events]


def _line(event: Any, where: Where) -> dict[str, Any]:
    return _pick(line_row(0, event, where), TIMELINE_FIELDS)


def overview_rows(conn: Connection, generation: int) -> list[dict[str, Any]]:
    c = overview_table.c
    stmt = select(*(c[f] for f in OVERVIEW_FIELDS)).where(c.generation == generation)
    return [_pick(r, OVERVIEW_FIELDS) for r in conn.execute(stmt.order_by(c.campaign_id)).mappings()]


def overview_from_log(runner: CommandRunner) -> list[dict[str, Any]]:
    rows = []
    for stream_id in stream_ids(runner, "campaign-"):
        state, version = runner.load(CAMPAIGN, stream_id)
        last = runner.store.read_stream(stream_id, from_version=version)[-1]
        rows.append(_pick(overview_row(0, stream_id.removeprefix("campaign-"), state, last), OVERVIEW_FIELDS))
    return sorted(rows, key=lambda r: str(r["campaign_id"]))
