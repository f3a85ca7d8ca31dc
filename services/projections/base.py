"""What a projection is, and the helpers they share: per-stream fold caches, upserts, grouping."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import Connection, Table, delete
from sqlalchemy.dialects import postgresql, sqlite

from domain.shared.events import Event, from_data
from services.eventstore.model import RecordedEvent
from services.eventstore.store import EventStore

S = TypeVar("S")


class Projection(Protocol):
    """A named, versioned read model. ``apply`` writes the rows for a batch of events, in log order.

    It runs inside the transaction that also moves the checkpoint, so it must not commit. Bump ``version``
    when the rows it writes change shape or meaning: the sweep then rebuilds it side by side.
    """

    name: str
    version: int
    tables: tuple[Table, ...]

    def apply(self, conn: Connection, generation: int, events: Sequence[RecordedEvent]) -> None: ...

    def reset(self) -> None:
        """Forget any in-memory cache (another process may have moved the checkpoint)."""


ProjectionFactory = Callable[[EventStore], Projection]


class StreamStates(Generic[S]):
    """Folded states per stream, advanced batch by batch; a gap is filled by reading the stream."""

    def __init__(self, store: EventStore, fold: Callable[[Iterable[Event], S | None], S]) -> None:
        self.store = store
        self.fold = fold
        self._states: dict[str, tuple[int, S]] = {}

    def advance(self, stream_id: str, events: Sequence[RecordedEvent]) -> S:
        first = events[0].version
        cached = self._states.get(stream_id)
        if cached is not None and cached[0] == first - 1:
            state: S | None = cached[1]
        else:
            before = self.store.read_stream(stream_id, to_version=first - 1) if first > 1 else []
            state = self.fold(decode(before), None)
        state = self.fold(decode(events), state)
        self._states[stream_id] = (events[-1].version, state)
        return state

    def get(self, stream_id: str) -> S | None:
        cached = self._states.get(stream_id)
        return cached[1] if cached else None

    def load(self, stream_id: str, to_position: int) -> S:
        """The state as of a position, for a stream this batch did not touch (cached when already known)."""
        cached = self._states.get(stream_id)
        if cached is not None:
            return cached[1]
        recorded = self.store.read_stream(stream_id, to_position=to_position)
        state = self.fold(decode(recorded), None)
        if recorded:
            self._states[stream_id] = (recorded[-1].version, state)
        return state

    def clear(self) -> None:
        self._states.clear()


def decode(events: Iterable[RecordedEvent]) -> Iterable[Event]:
    return (from_data(e.type, e.data) for e in events)


def by_stream(events: Sequence[RecordedEvent], prefix: str) -> dict[str, list[RecordedEvent]]:
    """The batch's events of one kind of stream, grouped by stream, each group in version order."""
    groups: dict[str, list[RecordedEvent]] = {}
    for event in events:
        if event.stream_id.startswith(prefix):
            groups.setdefault(event.stream_id, []).append(event)
    return groups


def upsert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert or replace rows by primary key (one statement, many parameter sets)."""
    if not rows:
        return
    keys = [c.name for c in table.primary_key.columns]
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    values = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keys}
    conn.execute(stmt.on_conflict_do_update(index_elements=keys, set_=values), list(rows))


def clear_generation(conn: Connection, tables: Iterable[Table], generation: int) -> None:
    for table in tables:
        conn.execute(delete(table).where(table.c.generation == generation))
