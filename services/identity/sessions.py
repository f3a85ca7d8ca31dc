"""Server-side page sessions: the browser holds a random id, the table only its SHA-256.

Signing out, disabling the user, resetting their password or revoking their tokens ends the row, so a
copied cookie stops working at once. Idle and absolute expiry are checked on every request.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Column, Connection, DateTime, Engine, ForeignKey, String, and_, insert, select, update
from sqlmodel import Field, SQLModel

from services.infra.db import reader

TOUCH_AFTER_SECONDS = 60
"""The idle clock is written at most once a minute per session, not on every request."""


class PageSessionRow(SQLModel, table=True):
    __tablename__ = "page_sessions"

    id_hash: str = Field(sa_column=Column(String(64), primary_key=True))
    user_id: str = Field(sa_column=Column(String(36), ForeignKey("users.id"), nullable=False, index=True))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    seen_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    ended_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    client: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    """The browser's address and user agent when it signed in (shown on 我的会话)."""


sessions_table = PageSessionRow.__table__  # type: ignore[attr-defined]
S = sessions_table.c


def session_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class PageSession:
    id_hash: str
    user_id: str
    created_at: datetime
    seen_at: datetime
    client: str | None

    @classmethod
    def of(cls, row: Any) -> PageSession:
        return cls(row.id_hash, row.user_id, _utc(row.created_at), _utc(row.seen_at), row.client)


def end_sessions(conn: Connection, user_id: str, now: datetime, keep: str | None = None) -> int:
    """End every live session of a user (but ``keep``, a session hash), inside the caller's transaction."""
    live = and_(S.user_id == user_id, S.ended_at.is_(None))
    if keep is not None:
        live = and_(live, S.id_hash != keep)
    return int(conn.execute(update(sessions_table).where(live).values(ended_at=now)).rowcount or 0)


class PageSessions:
    def __init__(self, engine: Engine, idle: timedelta, lifetime: timedelta) -> None:
        self.engine = engine
        self.reader = reader(engine)
        self.idle = idle
        self.lifetime = lifetime

    def start(self, user_id: str, now: datetime, client: str | None = None) -> str:
        """A new session; returns the id for the cookie (never stored)."""
        session_id = secrets.token_urlsafe(32)
        with self._writing() as conn:
            conn.execute(
                insert(sessions_table).values(
                    id_hash=session_hash(session_id), user_id=user_id, created_at=now, seen_at=now,
                    ended_at=None, client=(client or "")[:200] or None,
                )
            )  # fmt: skip
        return session_id

    def find(self, session_id: str, now: datetime) -> PageSession | None:
        """The live session behind a cookie; its idle clock moves on (at most once a minute)."""
        digest = session_hash(session_id)
        with self.reader.connect() as conn:
            row = conn.execute(
                select(sessions_table).where(S.id_hash == digest, S.ended_at.is_(None))
            ).one_or_none()
        if row is None:
            return None
        session = PageSession.of(row)
        if not self._live(session, now):
            return None
        if now - session.seen_at >= timedelta(seconds=TOUCH_AFTER_SECONDS):
            with self._writing() as conn:
                conn.execute(update(sessions_table).where(S.id_hash == digest).values(seen_at=now))
        return session

    def end(self, id_hash: str, now: datetime, user_id: str | None = None) -> bool:
        """End one session (only one of ``user_id``'s, when given)."""
        where = and_(S.id_hash == id_hash, S.ended_at.is_(None))
        if user_id is not None:
            where = and_(where, S.user_id == user_id)
        with self._writing() as conn:
            return bool(conn.execute(update(sessions_table).where(where).values(ended_at=now)).rowcount)

    def end_others(self, user_id: str, keep: str, now: datetime) -> int:
        with self._writing() as conn:
            return end_sessions(conn, user_id, now, keep=keep)

    def live_of(self, user_id: str, now: datetime) -> list[PageSession]:
        with self.reader.connect() as conn:
            rows = conn.execute(
                select(sessions_table)
                .where(S.user_id == user_id, S.ended_at.is_(None))
                .order_by(S.seen_at.desc())
            ).all()
        return [s for s in map(PageSession.of, rows) if self._live(s, now)]

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """A write transaction (BEGIN IMMEDIATE on SQLite, so it waits for the lock instead of failing)."""
        with self.engine.connect() as conn:
            conn.execution_options(sqlite_write=True)
            with conn.begin():
                yield conn

    def _live(self, session: PageSession, now: datetime) -> bool:
        return (
            now - session.created_at <= self.lifetime
            and now - session.seen_at <= self.idle
            and session.created_at <= now + timedelta(seconds=60)
        )
