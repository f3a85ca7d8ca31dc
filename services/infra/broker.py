"""Celery configuration shared by the producer (API, CLI) and the workers: one place, built from settings.

Without KAOHE_BROKER_URL the broker is kombu's SQLAlchemy transport on its own SQLite file in the data
folder (``broker.sqlite3``, never the event store's file): no server, and the same task code path as
production (a real worker process consumes real messages). A message is one row written in one SQLite
transaction, so a reader sees all of it or nothing: a producer killed mid-send leaves no half message.
``EmbeddedTransport`` adds what the embedded service needs on top of kombu's transport: WAL and a lock
wait, a short polling interval, a fetched row deleted in the transaction that takes it (kombu only marks
it, and the table would grow forever), and a row that cannot be a message dropped and logged instead of
stopping the worker. Its caveat, a fetched message is gone if the worker dies before finishing it, is
covered by the event log and the sweep (docs/operations.md).
"""

from __future__ import annotations

import binascii
import json
import os
import sqlite3
import threading
from pathlib import Path
from queue import Empty
from typing import Any

from kombu.connection import Connection
from kombu.transport import TRANSPORT_ALIASES
from kombu.transport import sqlalchemy as kombu_sqla
from kombu.transport.sqlalchemy.models import metadata as kombu_tables
from sqlalchemy import Engine, create_engine, delete, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from services.infra.db import private_file
from services.infra.logs import get_logger
from services.infra.settings import Settings
from services.infra.supervise import worker_trouble

QUEUE = "kaohe"
"""Projection catch-ups, the sweep and rebuilds."""
REPORTS_QUEUE = "kaohe-reports"
"""Report renders only."""
QUEUES = {"all": (QUEUE, REPORTS_QUEUE), "projections": (QUEUE,), "reports": (REPORTS_QUEUE,)}
"""What a worker consumes (`kaohe worker --queues`)."""
RENDER_GRACE_SECONDS = 30.0
CATCH_UP = "kaohe.projections.catch_up"
SWEEP = "kaohe.projections.sweep"
REBUILD = "kaohe.projections.rebuild"
RENDER = "kaohe.reports.render"
CHECKPOINT = "kaohe.integrity.checkpoint"
TASK_NAMES = (CATCH_UP, SWEEP, REBUILD, RENDER, CHECKPOINT)
CONNECT_TIMEOUT = 2.0
EMBEDDED_FILE = "broker.sqlite3"
EMBEDDED_SCHEME = "kaohe-sqlite"
POLLING_SECONDS = 0.1
"""How often an idle worker looks for a message: the embedded broker's share of the wake-up latency."""
LOCK_WAIT_SECONDS = 10.0
"""How long a send or a fetch waits for another process's write to the broker file."""
MESSAGE_TABLE = "kombu_message"

log = get_logger("kaohe.broker")
# kombu takes a transport by alias from the URL's scheme (``kaohe-sqlite+sqlite:///…``). Every process that
# builds the URL imports this module first, so the alias is known wherever the URL is used.
TRANSPORT_ALIASES.setdefault(EMBEDDED_SCHEME, f"{__name__}:EmbeddedTransport")


def broker_path(settings: Settings) -> Path:
    """The embedded broker's SQLite file: in the data folder, beside (never inside) the event store's."""
    return settings.data_dir / EMBEDDED_FILE


def broker_url(settings: Settings) -> str:
    return settings.broker_url or f"{EMBEDDED_SCHEME}+sqlite:///{broker_path(settings)}"


def transport_options(settings: Settings) -> dict[str, Any]:
    if settings.broker_url is not None:
        if not settings.broker_url.startswith(("redis://", "rediss://")):
            return {}  # another kombu URL: its transport's defaults (ours would be refused by, e.g., sqla)
        # Redis: an unacknowledged message comes back after the visibility timeout (longer than any task).
        return {"visibility_timeout": 3600, "socket_connect_timeout": CONNECT_TIMEOUT, "socket_timeout": 10}
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return {"polling_interval": POLLING_SECONDS}


def celery_config(settings: Settings) -> dict[str, Any]:
    """Settings every Kaohe Celery app uses: JSON only, late acks, one message at a time, no results."""
    return {
        "broker_url": broker_url(settings),
        "broker_transport_options": transport_options(settings),
        "broker_connection_timeout": CONNECT_TIMEOUT,
        "broker_connection_retry_on_startup": True,
        # Remote control needs a fanout exchange across processes, which the embedded transport lacks.
        "worker_enable_remote_control": settings.broker_url is not None,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "task_ignore_result": True,
        "task_default_queue": QUEUE,
        # Renders have their own queue (and, under `kaohe serve`, their own worker), so a report never
        # waits behind projection catch-ups, and a slow one never holds the read models back.
        "task_routes": {RENDER: {"queue": REPORTS_QUEUE}},
        "task_annotations": {
            RENDER: {
                "soft_time_limit": settings.render_seconds,
                "time_limit": settings.render_seconds + RENDER_GRACE_SECONDS,
            }
        },
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "worker_hijack_root_logger": False,
        "worker_redirect_stdouts": False,
        "enable_utc": True,
        "timezone": "UTC",
    }


def check_broker(settings: Settings) -> tuple[bool, str]:
    """For /ready: can we reach the broker right now (within a short timeout), and is a worker consuming?

    Under `kaohe serve` the supervisor says whether its worker is running; while it waits to restart a
    worker that died, messages still queue but nothing consumes them, so this answers not ready.
    """
    ok, detail = _check_embedded(settings) if settings.broker_url is None else _check_url(settings.broker_url)
    if not ok:
        return False, f"broker not reachable ({detail})"
    trouble = worker_trouble()
    if trouble:
        return False, f"broker {detail}; {trouble}"
    return ok, detail


def _check_url(url: str) -> tuple[bool, str]:
    try:
        with Connection(url, connect_timeout=CONNECT_TIMEOUT) as conn:  # type: ignore[no-untyped-call]
            conn.ensure_connection(max_retries=1, timeout=CONNECT_TIMEOUT)
    except Exception as exc:
        return False, exc.__class__.__name__
    return True, "ok"


def _check_embedded(settings: Settings) -> tuple[bool, str]:
    """The file opens and its message table reads (it is created by the first send or the first worker)."""
    path = broker_path(settings)
    if not path.exists():
        writable = os.access(path.parent, os.W_OK)
        return writable, "sqlite (not created yet)" if writable else f"cannot write {path.parent}"
    try:
        conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=CONNECT_TIMEOUT)
        try:
            waiting = conn.execute(f"SELECT count(*) FROM {MESSAGE_TABLE} WHERE visible").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return True, "sqlite (no messages yet)"
        return False, f"OperationalError: {exc}"
    except sqlite3.Error as exc:
        return False, f"{exc.__class__.__name__}: {exc}"
    return True, f"sqlite ({waiting} waiting)"


# ---- the embedded transport ------------------------------------------------------------------------------

_ENGINES_LOCK = threading.Lock()


def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    """WAL: readers never block the writer, and a killed writer's uncommitted frames are ignored."""
    try:
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.OperationalError as exc:  # another process is switching it right now: it persists anyway
        log.warning("broker_pragma_failed", error=str(exc))


def _create_tables(engine: Engine) -> None:
    """kombu's two tables, created under the write lock so processes starting together do not race."""
    with engine.connect() as conn:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        kombu_tables.create_all(conn)
        conn.commit()


class EmbeddedChannel(kombu_sqla.Channel):
    """kombu's SQLAlchemy channel on a private SQLite file, with atomic delete-on-fetch."""

    # Our own engine cache (kombu's is shared with its stock channel and keyed by URL only).
    _engines: dict[str, tuple[Engine, sessionmaker[Session]]] = {}

    def __init__(self, connection: Any, **kwargs: Any) -> None:
        super().__init__(connection, **kwargs)  # type: ignore[no-untyped-call]
        self._queue_ids: dict[str, int] = {}
        self._peeker: sqlite3.Connection | None = None

    def _engine_from_config(self) -> Engine:
        url = self.connection.client.hostname
        database = make_url(url).database
        if database and database != ":memory:":
            private_file(Path(database))
        engine = create_engine(
            url, connect_args={"timeout": LOCK_WAIT_SECONDS, "check_same_thread": False}, pool_pre_ping=False
        )
        event.listen(engine, "connect", _on_connect)
        return engine

    def _open(self) -> tuple[Engine, sessionmaker[Session]]:
        url: str = self.connection.client.hostname
        with _ENGINES_LOCK:
            if url not in self._engines:
                engine = self._engine_from_config()
                _create_tables(engine)
                self._engines[url] = engine, sessionmaker(bind=engine)
            return self._engines[url]

    def _queue_id(self, queue: str) -> int:
        if queue not in self._queue_ids:  # queue rows are never deleted: the id can be kept
            self._queue_ids[queue] = int(self._get_or_create(queue).id)  # type: ignore[no-untyped-call]
        return self._queue_ids[queue]

    def _waiting(self, queue_id: int) -> bool:
        """Is a message waiting? A plain read (no lock, no ORM): an idle poll costs next to nothing."""
        if self._peeker is None:
            engine, _ = self._open()
            self._peeker = sqlite3.connect(
                engine.url.database or "", timeout=LOCK_WAIT_SECONDS, check_same_thread=False
            )
            self._peeker.isolation_level = None  # autocommit: each look reads the latest commit
        try:
            found = self._peeker.execute(
                f"SELECT 1 FROM {MESSAGE_TABLE} WHERE queue_id = ? AND visible LIMIT 1", (queue_id,)
            ).fetchone()
        except sqlite3.Error:
            # Let the locked read in _get decide: its errors are the ones kombu knows to reconnect on.
            self._peeker.close()
            self._peeker = None
            return True
        return found is not None

    def close(self) -> None:
        super().close()  # type: ignore[no-untyped-call]
        if self._peeker is not None:
            self._peeker.close()
            self._peeker = None

    def _get(self, queue: str, timeout: Any = None) -> Any:
        """The oldest message of ``queue``, taken and deleted in one transaction (or Empty)."""
        queue_id = self._queue_id(queue)
        if not self._waiting(queue_id):
            raise Empty()
        table = self.message_cls.__table__
        first = (
            select(table.c.id, table.c.payload)
            .where(table.c.queue_id == queue_id, table.c.visible.is_(True))
            .order_by(table.c.id)
            .limit(1)
        )
        session = self.session
        try:
            session.execute(text("BEGIN IMMEDIATE"))
            row = session.execute(first).first()
            if row is None:  # another consumer took it meanwhile
                raise Empty()
            session.execute(delete(table).where(table.c.id == row.id))
        finally:
            session.commit()
        return self._checked(queue, row.id, row.payload)

    def _checked(self, queue: str, row_id: int, raw: Any) -> dict[str, Any]:
        """The payload if it is a message kombu can deliver; otherwise log it, drop it and poll on."""
        try:
            payload = json.loads(raw)
            # The fields and the body encoding kombu will need to deliver it.
            self.Message(payload, channel=self)  # type: ignore[no-untyped-call]
        except (ValueError, TypeError, KeyError, AttributeError, binascii.Error) as exc:
            log.error(
                "broker_message_dropped",
                queue=queue,
                row=row_id,
                size=len(raw or ""),
                error=f"{exc.__class__.__name__}: {exc}",
            )
            raise Empty() from None
        if not isinstance(payload, dict):  # pragma: no cover - Message() above already refused it
            raise Empty()
        return payload


class EmbeddedTransport(kombu_sqla.Transport):
    Channel = EmbeddedChannel
    polling_interval = POLLING_SECONDS


def _forget_engines_after_fork() -> None:
    """A forked child (prefork pool) must not use the parent's SQLite connections: it opens its own."""
    for engine, _ in EmbeddedChannel._engines.values():
        engine.dispose(close=False)
    EmbeddedChannel._engines.clear()


os.register_at_fork(after_in_child=_forget_engines_after_fork)
