"""Engine construction: one synchronous SQLAlchemy engine per process, shared by API, workers and CLI."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import ConnectionPoolEntry

from services.eventstore.canonical import PreEncoded, canonical_json


def _serialize(value: Any) -> str:
    # Event payloads arrive already canonicalised (their hash was computed over these exact bytes).
    return value if isinstance(value, PreEncoded) else canonical_json(value)


def make_engine(database_url: str, *, pool_size: int = 10, echo: bool = False) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(database_url, echo=echo)
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        # No pre-ping: it would add a round trip to every checkout (every command). A dropped connection
        # fails one statement, SQLAlchemy invalidates the pool, and the next checkout reconnects.
        pool_recycle=1800,
        json_serializer=_serialize,
        json_deserializer=json.loads,
        echo=echo,
    )


def private_file(path: Path) -> None:
    """Make ``path`` readable by its owner only (0600), creating it empty when missing. SQLite gives its
    -wal and -shm files the database file's mode, so they follow."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    with contextlib.suppress(OSError):  # not ours (a shared volume): leave it to the operator
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)


def _sqlite_engine(database_url: str, *, echo: bool) -> Engine:
    url = make_url(database_url)
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        private_file(Path(url.database))
    engine = create_engine(
        url,
        json_serializer=_serialize,
        json_deserializer=json.loads,
        connect_args={"timeout": 30, "check_same_thread": False},
        echo=echo,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Take transaction control from the sqlite3 module so BEGIN IMMEDIATE can be issued below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers ask for the write lock up front (no upgrade deadlocks); readers begin deferred.
        mode = "IMMEDIATE" if conn.get_execution_options().get("sqlite_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def reader(engine: Engine) -> Engine:
    """The same pool for plain reads: on PostgreSQL in autocommit, so a read is one round trip, not three
    (no BEGIN and ROLLBACK around it). SQLite reads stay in their cheap local deferred transaction."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return engine
