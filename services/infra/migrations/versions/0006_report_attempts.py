"""Report progress counts the renderings started, so a render that keeps killing its worker is stopped.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "report_progress", sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0"))
    )


def downgrade() -> None:
    raise RuntimeError("Kaohe migrations never go down")
