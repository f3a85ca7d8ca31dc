"""Organisations: the bodies unit accounts belong to and campaigns enrol (统一社会信用代码 optional).

Users gain ``organisation_id``; ``users.unit`` keeps the organisation's name for display. Accounts made
before this carry a unit string only and match units by exact name (docs/visibility.md).

Revision ID: 0007
Revises: 0006 (re-chained onto 0006 of the identity branch when the two merge)
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=True, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.add_column("users", sa.Column("organisation_id", sa.String(36), nullable=True))


def downgrade() -> None:
    raise RuntimeError("Kaohe migrations never go down")
