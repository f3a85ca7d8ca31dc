"""Report rendering progress; drop two event indexes the append paid for and no query used.

``ix_events_type`` served no query. ``ix_events_recorded_at`` served "as of a time", which now bisects the
primary key instead (recorded_at never decreases along positions). Each index cost every append a page
write (bench/eventstore.py).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_events_type", table_name="events")
    op.drop_index("ix_events_recorded_at", table_name="events")
    op.create_table(
        "report_progress",
        sa.Column("report_id", sa.String(100), primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("percent", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    raise RuntimeError("Kaohe migrations never go down")
