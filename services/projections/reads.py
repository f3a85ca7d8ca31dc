"""Reading a projection without ever answering wrong: wait (bounded) for a position, else ask the log.

A projection answers only when it holds everything the caller must see: the position given as
``wait_for`` (a write's CommandAccepted.position), or else the head of the log when the request arrived.
When it is behind after the wait, the log answers (the same lines, folded on the spot): slower, but
never stale. Every answer says which source served it and how far the projection lags.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Connection, Engine

from services.eventstore.store import EventStore
from services.projections import checkpoints

T = TypeVar("T")
POLL_SECONDS = 0.05
LOG, PROJECTION = "log", "projection"


@dataclass(frozen=True)
class Freshness:
    source: str
    projection: str
    projection_position: int
    """-1 when the projection has never run."""
    head: int

    @property
    def lag(self) -> int:
        return max(0, self.head - max(self.projection_position, 0))

    def headers(self) -> dict[str, str]:
        return {
            "X-Read-Source": self.source,
            "X-Projection-Position": str(self.projection_position),
            "X-Projection-Lag": str(self.lag),
        }


class ProjectionReader:
    def __init__(self, engine: Engine, store: EventStore, max_wait: float) -> None:
        self.engine = engine
        self.store = store
        self.max_wait = max_wait

    def read(
        self,
        name: str,
        query: Callable[[Connection, int], T],
        from_log: Callable[[], T],
        wait_for: int | None = None,
    ) -> tuple[T, Freshness]:
        head = self.store.head().position
        target = head if wait_for is None else min(wait_for, head)
        if wait_for is not None:
            self.wait(name, target)
        with self._snapshot() as conn:
            current = checkpoints.active(conn, name)
            if current is not None and current.position >= target:
                found = query(conn, current.generation)
                return found, Freshness(PROJECTION, name, current.position, max(head, current.position))
        position = current.position if current is not None else -1
        return from_log(), Freshness(LOG, name, position, head)

    def position(self, name: str) -> int:
        with self.engine.connect() as conn:
            current = checkpoints.active(conn, name)
        return current.position if current is not None else -1

    def wait(self, name: str, target: int) -> bool:
        deadline = time.monotonic() + self.max_wait
        while self.position(name) < target:
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_SECONDS)
        return True

    @contextmanager
    def _snapshot(self) -> Iterator[Connection]:
        """The checkpoint and the rows from one snapshot, so a switch of generations cannot split them."""
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn
