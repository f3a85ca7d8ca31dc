"""The read models' questions, asked of a projection's active generation or answered from the log."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, and_, bindparam, func, or_, select

from services.eventstore.store import utc
from services.eventstore.tables import events_table
from services.projections.checkpoints import ACTIVE
from services.projections.tables import (
    checkpoints_table,
    inbox_table,
    overview_table,
    score_cells_table,
    timeline_table,
)

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


class TableHead(NamedTuple):
    """Everything a 赋分表 read decides on, in one round trip: the log's head, both read models'
    generations and positions, and the campaign's overview row (None when it has none)."""

    head: int
    scores_generation: int | None
    scores_position: int
    overview_generation: int | None
    overview_position: int
    title: str | None
    stage: str | None
    stream_version: int | None


def _table_head_statement() -> Any:
    e = events_table.c
    scores = checkpoints_table.alias("scores")
    overview = checkpoints_table.alias("overview")
    head = select(func.coalesce(func.max(e.position), 0)).scalar_subquery()
    row = overview_table.alias("row")
    return (
        select(
            head,
            scores.c.generation,
            scores.c.position,
            overview.c.generation,
            overview.c.position,
            row.c.title,
            row.c.stage,
            row.c.stream_version,
        )
        .select_from(scores)
        .join(overview, and_(overview.c.name == "overview", overview.c.state == ACTIVE))
        .outerjoin(
            row,
            and_(row.c.generation == overview.c.generation, row.c.campaign_id == bindparam("campaign_id")),
        )
        .where(scores.c.name == "scores", scores.c.state == ACTIVE)
    )


TABLE_HEAD = _table_head_statement()


_RAW_TABLE_HEAD: list[tuple[str, dict[str, Any]]] = []


def score_table_head(conn: Connection, campaign_id: str) -> TableHead | None:
    """None until both read models have an active generation.

    On PostgreSQL the statement goes straight to the driver, rendered once (a prepared statement there):
    it runs on every read of the 赋分表, and SQLAlchemy's execution costs more than the query itself.
    """
    if conn.dialect.name != "postgresql":
        row = conn.execute(TABLE_HEAD, {"campaign_id": campaign_id}).one_or_none()
        return TableHead(*row) if row is not None else None
    if not _RAW_TABLE_HEAD:
        compiled = TABLE_HEAD.compile(dialect=conn.dialect)
        _RAW_TABLE_HEAD.append((str(compiled), dict(compiled.params)))
    sql, constants = _RAW_TABLE_HEAD[0]
    params = {**constants, "campaign_id": campaign_id}
    driver = conn.connection.driver_connection
    assert driver is not None
    found = driver.execute(sql, params, prepare=True).fetchone()
    return TableHead(*found) if found is not None else None


S = score_cells_table.c
SCORE_CELLS = (
    select(
        score_cells_table.c.unit_code,
        score_cells_table.c.unit_name,
        score_cells_table.c.unit_group,
        score_cells_table.c.unit_order,
        score_cells_table.c.indicator_code,
        score_cells_table.c.indicator_name,
        score_cells_table.c.indicator_label,
        score_cells_table.c.indicator_order,
        score_cells_table.c.points,
        score_cells_table.c.score,
        score_cells_table.c.display,
        score_cells_table.c.vetoed,
    )
    .where(
        score_cells_table.c.generation == bindparam("generation"),
        score_cells_table.c.campaign_id == bindparam("campaign_id"),
    )
    .order_by(
        score_cells_table.c.unit_order, score_cells_table.c.unit_code, score_cells_table.c.indicator_order
    )
)


def score_cells(conn: Connection, generation: int, campaign_id: str) -> list[Any]:
    return list(conn.execute(SCORE_CELLS, {"generation": generation, "campaign_id": campaign_id}).all())
