"""Projections: checkpoints per generation, the four read models and the workers' task counts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSON_DOC = sa.JSON().with_variant(JSONB(), "postgresql")
TZ = sa.DateTime(timezone=True)


def _key(name: str, kind: Any) -> sa.Column[Any]:
    return sa.Column(name, kind, primary_key=True, autoincrement=False)


def upgrade() -> None:
    op.create_table(
        "projection_checkpoints",
        _key("name", sa.String(100)),
        _key("generation", sa.Integer),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("applied", sa.BigInteger, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "score_cells",
        _key("generation", sa.Integer),
        _key("campaign_id", sa.String(200)),
        _key("unit_code", sa.String(200)),
        _key("indicator_code", sa.String(200)),
        sa.Column("unit_name", sa.String(200), nullable=False),
        sa.Column("unit_group", sa.String(40), nullable=False),
        sa.Column("unit_order", sa.Integer, nullable=False),
        sa.Column("indicator_name", sa.String(200), nullable=False),
        sa.Column("points", sa.String(40), nullable=False),
        sa.Column("score", sa.String(40), nullable=True),
        sa.Column("display", sa.String(60), nullable=True),
        sa.Column("vetoed", sa.Boolean, nullable=False),
        sa.Column("deductions", JSON_DOC, nullable=False),
        sa.Column("last_position", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "campaign_overview",
        _key("generation", sa.Integer),
        _key("campaign_id", sa.String(200)),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("notice_number", sa.String(200), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("stage", sa.String(40), nullable=True),
        sa.Column("assessing_unit", sa.String(200), nullable=False),
        sa.Column("report_to", sa.String(200), nullable=False),
        sa.Column("collection_deadline", sa.String(10), nullable=True),
        sa.Column("appeal_window_end", sa.String(10), nullable=True),
        sa.Column("counts", JSON_DOC, nullable=False),
        sa.Column("stream_version", sa.Integer, nullable=False),
        sa.Column("last_position", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "inbox_tasks",
        _key("generation", sa.Integer),
        _key("document_id", sa.String(200)),
        _key("task_id", sa.String(200)),
        sa.Column("campaign_id", sa.String(200), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("step", sa.String(100), nullable=False),
        sa.Column("assignee", sa.String(100), nullable=True),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("since", TZ, nullable=False),
        sa.Column("owner", sa.String(100), nullable=True),
        sa.Column("last_position", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_inbox_tasks_assignee", "inbox_tasks", ["generation", "assignee"])
    op.create_index("ix_inbox_tasks_role", "inbox_tasks", ["generation", "role"])
    op.create_table(
        "timeline_lines",
        _key("generation", sa.Integer),
        _key("position", sa.BigInteger),
        sa.Column("stream_id", sa.String(200), nullable=False),
        sa.Column("campaign_id", sa.String(200), nullable=True),
        sa.Column("document_id", sa.String(200), nullable=True),
        sa.Column("unit", sa.String(200), nullable=True),
        sa.Column("type", sa.String(200), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.Column("at", sa.String(40), nullable=True),
        sa.Column("actor", sa.String(100), nullable=True),
        sa.Column("role", sa.String(40), nullable=True),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("opinion", sa.Text, nullable=True),
        sa.Column("basis", sa.Text, nullable=True),
    )
    op.create_index("ix_timeline_campaign", "timeline_lines", ["generation", "campaign_id", "position"])
    op.create_index("ix_timeline_document", "timeline_lines", ["generation", "document_id", "position"])
    op.create_table(
        "worker_task_counts",
        _key("task", sa.String(200)),
        _key("outcome", sa.String(20)),
        sa.Column("count", sa.BigInteger, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )


def downgrade() -> None:
    raise RuntimeError("Kaohe migrations never go down")
