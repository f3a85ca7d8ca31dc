"""The event store's tables: the log itself, its head (lock and counter) and idempotency keys."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Dialect,
    Integer,
    String,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

# JSONB on PostgreSQL (queryable, compact); JSON text on SQLite.
JSONDocument = JSON().with_variant(JSONB(), "postgresql")
# 64-bit on PostgreSQL; on SQLite an INTEGER PRIMARY KEY is the 64-bit rowid itself.
Position = BigInteger().with_variant(Integer(), "sqlite")
STREAM_ID_MAX = 200
TYPE_MAX = 200
IDEMPOTENCY_KEY_MAX = 200


class EventRecord(SQLModel, table=True):
    """One stored event. Rows are never updated or deleted (database triggers refuse it)."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("stream_id", "version", name="uq_events_stream_version"),)

    position: int = Field(sa_column=Column(Position, primary_key=True, autoincrement=False))
    stream_id: str = Field(sa_column=Column(String(STREAM_ID_MAX), nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    event_id: str = Field(sa_column=Column(String(36), nullable=False, unique=True))
    type: str = Field(sa_column=Column(String(TYPE_MAX), nullable=False))
    schema_version: int = Field(sa_column=Column(Integer, nullable=False))
    data: dict[str, Any] = Field(sa_column=Column(JSONDocument, nullable=False))
    event_metadata: dict[str, Any] = Field(sa_column=Column("metadata", JSONDocument, nullable=False))
    recorded_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    prev_hash: str = Field(sa_column=Column(String(64), nullable=False))
    hash: str = Field(sa_column=Column(String(64), nullable=False))


class LogHeadRecord(SQLModel, table=True):
    """A single row: the last position handed out. Locking it serialises appends (docs/eventstore.md)."""

    __tablename__ = "event_log_head"

    id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    position: int = Field(sa_column=Column(BigInteger, nullable=False))


class IdempotencyRecord(SQLModel, table=True):
    """The first result of an append made with an idempotency key; replayed for any retry."""

    __tablename__ = "idempotency_keys"

    key: str = Field(sa_column=Column(String(IDEMPOTENCY_KEY_MAX), primary_key=True))
    request_hash: str = Field(sa_column=Column(String(64), nullable=False))
    result: dict[str, Any] = Field(sa_column=Column(JSONDocument, nullable=False))
    first_position: int = Field(sa_column=Column(BigInteger, nullable=False))
    recorded_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


events_table = EventRecord.__table__  # type: ignore[attr-defined]
head_table = LogHeadRecord.__table__  # type: ignore[attr-defined]
idempotency_table = IdempotencyRecord.__table__  # type: ignore[attr-defined]
metadata = SQLModel.metadata


class UTCTime(TypeDecorator[datetime]):
    """Reads ``recorded_at`` as an aware UTC datetime. On SQLite (stored as ISO text) with the C parser
    instead of SQLAlchemy's regular expression: replay reads one per event."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], datetime | None]:
        if dialect.name == "sqlite":
            return _from_sqlite_text
        return _as_utc


def _from_sqlite_text(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


def _as_utc(value: Any) -> datetime | None:
    if value is None or value.tzinfo is UTC:
        return value  # type: ignore[no-any-return]
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
