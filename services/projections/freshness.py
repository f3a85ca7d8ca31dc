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

from sqlalchemy import Connection, Engine, select

from services.eventstore.store import EventStore
from services.eventstore.tables import events_table
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
        return self.read_models((name,), lambda conn, gens: query(conn, gens[name]), from_log, wait_for)

    def read_models(
        self,
        names: tuple[str, ...],
        query: Callable[[Connection, dict[str, int]], T],
        from_log: Callable[[], T],
        wait_for: int | None = None,
        *,
        waited: bool = False,
    ) -> tuple[T, Freshness]:
        """Answer from these projections when every one holds the target position, else from the log.

        The head, the checkpoints and the rows are read in one snapshot, so a generation switch or a
        concurrent catch-up cannot split them. ``waited``: the caller already waited for ``wait_for``.
        """
        if wait_for is not None and not waited:
            self.wait_all(names, min(wait_for, self.store.head().position))
        with self._snapshot() as conn:
            head = _head(conn)
            target = head if wait_for is None else min(wait_for, head)
            found = {name: checkpoints.active(conn, name) for name in names}
            positions = [c.position if c is not None else -1 for c in found.values()]
            behind = min(positions)
            if all(c is not None and c.position >= target for c in found.values()):
                answer = query(conn, {name: c.generation for name, c in found.items() if c is not None})
                return answer, Freshness(PROJECTION, ",".join(names), behind, max(head, behind))
        return from_log(), Freshness(LOG, ",".join(names), behind, head)

    def position(self, name: str) -> int:
        with self.engine.connect() as conn:
            current = checkpoints.active(conn, name)
        return current.position if current is not None else -1

    def wait(self, name: str, target: int) -> bool:
        return self.wait_all((name,), target)

    def wait_all(self, names: tuple[str, ...], target: int) -> bool:
        """Wait (at most ``max_wait`` in all) until every one of these projections holds ``target``."""
        if target <= 0:
            return True  # position 0 is the empty log: every projection holds it
        deadline = time.monotonic() + self.max_wait
        while any(self.position(name) < target for name in names):
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


def _head(conn: Connection) -> int:
    position = conn.execute(
        select(events_table.c.position).order_by(events_table.c.position.desc()).limit(1)
    ).scalar()
    return int(position or 0)
