"""Score cells carry their indicator's order and label, so the 赋分表 is served from the projection alone.

The rows are rebuilt (the scores projection's version moves to 2), so the new columns start empty.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("score_cells", sa.Column("indicator_order", sa.Integer, nullable=True))
    op.add_column("score_cells", sa.Column("indicator_label", sa.String(200), nullable=True))


def downgrade() -> None:
    raise RuntimeError("Kaohe migrations never go down")
