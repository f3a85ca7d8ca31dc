"""The event store: events, the log head and idempotency keys; triggers that refuse UPDATE and DELETE.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSONDocument = sa.JSON().with_variant(JSONB(), "postgresql")
Position = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
IMMUTABLE = ("events", "idempotency_keys")


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("position", Position, primary_key=True, autoincrement=False),
        sa.Column("stream_id", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("type", sa.String(200), nullable=False),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("data", JSONDocument, nullable=False),
        sa.Column("metadata", JSONDocument, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("stream_id", "version", name="uq_events_stream_version"),
    )
    op.create_index("ix_events_recorded_at", "events", ["recorded_at"])
    op.create_index("ix_events_type", "events", ["type"])
    op.create_table(
        "event_log_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("position", sa.BigInteger, nullable=False),
    )
    op.execute("INSERT INTO event_log_head (id, position) VALUES (1, 0)")
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("result", JSONDocument, nullable=False),
        sa.Column("first_position", sa.BigInteger, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    if op.get_context().dialect.name == "postgresql":
        _postgres_triggers()
    else:
        _sqlite_triggers()


def _postgres_triggers() -> None:
    op.execute(
        """
        CREATE FUNCTION kaohe_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'kaohe: % on % is refused: recorded history is never changed',
                TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
        END;
        $$
        """
    )
    for table in IMMUTABLE:
        op.execute(
            f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION kaohe_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION kaohe_refuse_change()"
        )


def _sqlite_triggers() -> None:
    for table in IMMUTABLE:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} BEGIN "
                f"SELECT RAISE(ABORT, 'kaohe: {action} on {table} is refused: "
                "recorded history is never changed'); END"
            )


def downgrade() -> None:
    raise RuntimeError("the event store is never downgraded: history is kept")
