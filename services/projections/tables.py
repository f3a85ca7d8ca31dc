"""Read-model tables (``...Row``): every row carries the generation that built it, beside one checkpoint each.

Read-model rows are not history: they are deleted and replaced freely. The events table stays immutable.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Column, DateTime, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

JSONDocument = JSON().with_variant(JSONB(), "postgresql")
NAME = 100
ID = 200


def _key(kind: Any, length: int | None = None) -> Any:
    return Field(sa_column=Column(kind(length) if length else kind, primary_key=True, autoincrement=False))


def _col(kind: Any, *, nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(kind, nullable=nullable))


class ProjectionCheckpointRow(SQLModel, table=True):
    """One generation of one projection: the last position applied and whether it serves reads.

    ``state`` is ``active`` (serves reads; one per projection), ``building`` (a rebuild from position 0,
    side by side) or ``retired`` (its rows are being cleared).
    """

    __tablename__ = "projection_checkpoints"

    name: str = _key(String, NAME)
    generation: int = _key(Integer)
    version: int = _col(Integer)
    position: int = _col(BigInteger)
    applied: int = _col(BigInteger)
    """Events applied by this generation, counted in the same transaction: equals ``position`` unless an
    event was skipped or applied twice (the fault tests check it)."""
    state: str = _col(String(20))
    created_at: datetime = _col(DateTime(timezone=True))
    updated_at: datetime = _col(DateTime(timezone=True))


class ScoreCellRow(SQLModel, table=True):
    """Campaign × unit × indicator: the display score, the points and the deductions with their basis."""

    __tablename__ = "score_cells"

    generation: int = _key(Integer)
    campaign_id: str = _key(String, ID)
    unit_code: str = _key(String, ID)
    indicator_code: str = _key(String, ID)
    unit_name: str = _col(String(ID))
    unit_group: str = _col(String(40))
    unit_order: int = _col(Integer)
    indicator_name: str = _col(String(ID))
    indicator_order: int | None = _col(Integer, nullable=True)
    indicator_label: str | None = _col(String(ID), nullable=True)
    """The indicator's short name as the 赋分表 heads it (its name when it has none)."""
    points: str = _col(String(40))
    score: str | None = _col(String(40), nullable=True)
    display: str | None = _col(String(60), nullable=True)
    vetoed: bool = _col(Boolean)
    deductions: list[dict[str, Any]] = _col(JSONDocument)
    last_position: int = _col(BigInteger)


class CampaignOverviewRow(SQLModel, table=True):
    """A campaign at a glance: stage, counts and deadlines."""

    __tablename__ = "campaign_overview"

    generation: int = _key(Integer)
    campaign_id: str = _key(String, ID)
    title: str = _col(Text)
    notice_number: str = _col(String(ID))
    year: int = _col(Integer)
    stage: str | None = _col(String(40), nullable=True)
    assessing_unit: str = _col(String(ID))
    report_to: str = _col(String(ID))
    collection_deadline: str | None = _col(String(10), nullable=True)
    appeal_window_end: str | None = _col(String(10), nullable=True)
    counts: dict[str, int] = _col(JSONDocument)
    stream_version: int = _col(Integer)
    last_position: int = _col(BigInteger)


class InboxTaskRow(SQLModel, table=True):
    """An open approval task, assigned to a user or offered to a role."""

    __tablename__ = "inbox_tasks"
    __table_args__ = (
        Index("ix_inbox_tasks_assignee", "generation", "assignee"),
        Index("ix_inbox_tasks_role", "generation", "role"),
    )

    generation: int = _key(Integer)
    document_id: str = _key(String, ID)
    task_id: str = _key(String, ID)
    campaign_id: str = _col(String(ID))
    title: str = _col(Text)
    step: str = _col(String(NAME))
    assignee: str | None = _col(String(NAME), nullable=True)
    role: str = _col(String(40))
    since: datetime = _col(DateTime(timezone=True))
    owner: str | None = _col(String(NAME), nullable=True)
    last_position: int = _col(BigInteger)


class TimelineLineRow(SQLModel, table=True):
    """One readable line of history per event: who, in which role, did what, why, on what basis."""

    __tablename__ = "timeline_lines"
    __table_args__ = (
        Index("ix_timeline_campaign", "generation", "campaign_id", "position"),
        Index("ix_timeline_document", "generation", "document_id", "position"),
    )

    generation: int = _key(Integer)
    position: int = _key(BigInteger)
    stream_id: str = _col(String(ID))
    campaign_id: str | None = _col(String(ID), nullable=True)
    document_id: str | None = _col(String(ID), nullable=True)
    unit: str | None = _col(String(ID), nullable=True)
    type: str = _col(String(ID))
    recorded_at: datetime = _col(DateTime(timezone=True))
    at: str | None = _col(String(40), nullable=True)
    actor: str | None = _col(String(NAME), nullable=True)
    role: str | None = _col(String(40), nullable=True)
    action: str = _col(Text)
    opinion: str | None = _col(Text, nullable=True)
    basis: str | None = _col(Text, nullable=True)


class TaskCountRow(SQLModel, table=True):
    """Tasks run, failed and retried, counted by the workers in the database (read by any /metrics)."""

    __tablename__ = "worker_task_counts"

    task: str = _key(String, ID)
    outcome: str = _key(String, 20)
    count: int = _col(BigInteger)
    updated_at: datetime = _col(DateTime(timezone=True))


checkpoints_table = ProjectionCheckpointRow.__table__  # type: ignore[attr-defined]
score_cells_table = ScoreCellRow.__table__  # type: ignore[attr-defined]
overview_table = CampaignOverviewRow.__table__  # type: ignore[attr-defined]
inbox_table = InboxTaskRow.__table__  # type: ignore[attr-defined]
timeline_table = TimelineLineRow.__table__  # type: ignore[attr-defined]
task_counts_table = TaskCountRow.__table__  # type: ignore[attr-defined]
