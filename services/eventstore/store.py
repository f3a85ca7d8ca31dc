"""The append-only event log: ordered, hash-chained, idempotent appends and the reads replay needs."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, Select, Text, bindparam, cast, func, select, type_coerce
from sqlalchemy.exc import IntegrityError

from services.eventstore.canonical import GENESIS_HASH, PreEncoded, canonical_json, event_hash, format_time
from services.eventstore.errors import ConcurrencyError, IdempotencyConflict, InvalidAppend
from services.eventstore.model import AppendResult, LogHead, NewEvent, Payload, RecordedEvent, StreamAppend
from services.eventstore.prepare import PreparedAppend, check_stream_id, prepare
from services.eventstore.registry import EventTypeRegistry
from services.eventstore.statements import (
    INSERT_EVENTS,
    INSERT_KEY,
    PREVIOUS,
    check_params,
    lock_statement,
    recheck_statement,
)
from services.eventstore.tables import UTCTime, events_table, idempotency_table
from services.infra.db import reader

E = events_table.c
MAX_POSITION = 2**63 - 1
"""The largest position either database stores (a signed 64-bit integer)."""
_loads = json.JSONDecoder().decode
READ_COLUMNS = (
    E.position,
    E.stream_id,
    E.version,
    E.event_id,
    E.type,
    E.schema_version,
    cast(E.data, Text),
    cast(E.metadata, Text),
    type_coerce(E.recorded_at, UTCTime()),
    E.prev_hash,
    E.hash,
)


def utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; the store only ever writes UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


class _Snapshot:
    """What the append saw while holding the log lock."""

    def __init__(self, base: int, last_hash: str, last_time: datetime | None) -> None:
        self.base = base
        self.last_hash = last_hash
        self.last_time = last_time
        self.versions: dict[str, int] = {}
        self.idempotency: tuple[str, dict[str, Any]] | None = None


class EventStore:
    """One synchronous store shared by the API, the workers and the CLI (docs/eventstore.md)."""

    def __init__(self, engine: Engine, registry: EventTypeRegistry) -> None:
        self.engine = engine
        self.reader = reader(engine)
        self.registry = registry

    # -- writing -------------------------------------------------------------------------------

    def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        expected_version: int | None,
        idempotency_key: str | None = None,
    ) -> AppendResult:
        return self.append_streams([StreamAppend(stream_id, events, expected_version)], idempotency_key)

    def append_streams(
        self,
        batches: Sequence[StreamAppend],
        idempotency_key: str | None = None,
        fingerprint: str | None = None,
        also: Callable[[Connection], None] | None = None,
    ) -> AppendResult:
        """All-or-nothing append to one or more streams, in one transaction.

        ``also`` writes rows that stand beside the events (e.g. an organisation's registry row) in that
        same transaction, so neither is ever committed without the other.

        ``fingerprint`` replaces the request hash the key is checked against: the API passes a hash of
        the HTTP request, so a retry matches even when the command would now decide differently.
        """
        request = prepare(batches, idempotency_key, self.registry, fingerprint)
        with self.engine.connect() as conn:
            conn.execution_options(sqlite_write=True)
            with conn.begin() as transaction:
                try:
                    result = self._append_locked(conn, request)
                    if also is not None and not result.replayed:
                        also(conn)
                except IntegrityError as exc:
                    raise _translate(exc) from None
                if result.replayed:
                    transaction.rollback()  # give back the positions reserved before the key was found
                return result

    @contextmanager
    def write_transaction(self) -> Iterator[Connection]:
        """A connection in a write transaction (BEGIN IMMEDIATE on SQLite), committed when the block ends.

        For changes to other tables that must be recorded in the log atomically: write the rows, then
        ``append_within`` on the same connection. The head lock is taken at that append, as for any other.
        """
        with self.engine.connect() as conn:
            conn.execution_options(sqlite_write=True)
            with conn.begin():
                yield conn

    def append_within(self, conn: Connection, batches: Sequence[StreamAppend]) -> AppendResult:
        """Append inside the caller's transaction (from ``write_transaction``): the events commit or roll
        back with the caller's own rows. Same ordering, locking and hash chain as ``append_streams``; no
        idempotency key (the caller's transaction is the unit of retry)."""
        request = prepare(batches, None, self.registry, None)
        try:
            return self._append_locked(conn, request)
        except IntegrityError as exc:
            raise _translate(exc) from None

    def _append_locked(self, conn: Connection, request: PreparedAppend) -> AppendResult:
        snap = self._lock_and_reserve(conn, request)
        if snap.idempotency is not None:
            return _replay(request, *snap.idempotency)
        for stream in request.streams:
            actual = snap.versions.get(stream.stream_id, 0)
            if stream.expected_version is not None and stream.expected_version != actual:
                raise ConcurrencyError(stream.stream_id, stream.expected_version, actual)
        now = datetime.now(UTC)
        recorded_at = now if snap.last_time is None or now > snap.last_time else snap.last_time
        rows, versions = self._rows(request, snap, recorded_at)
        conn.execute(INSERT_EVENTS, rows)
        positions = tuple(row["position"] for row in rows)
        result = AppendResult(positions, versions)
        if request.idempotency_key is not None:
            conn.execute(
                INSERT_KEY,
                {
                    "key": request.idempotency_key,
                    "request_hash": request.request_hash,
                    "result": _result_json(result),
                    "first_position": positions[0],
                    "recorded_at": recorded_at,
                },
            )
        return result

    def _lock_and_reserve(self, conn: Connection, request: PreparedAppend) -> _Snapshot:
        """One round trip: lock the head row, reserve positions, read what the checks need.

        The head row lock serialises appends, so positions are gap-free and commit in order. On
        PostgreSQL the subqueries may use a snapshot taken before the lock was granted; when the
        last visible position is not the head's, they are read again under the lock.
        """
        n, keyed = request.count, request.idempotency_key is not None
        params = check_params(request)
        row = conn.execute(lock_statement(len(request.streams), keyed), {"n": n, **params}).one()
        base = row[0] - n
        if (row[1] or 0) != base:
            previous = conn.execute(PREVIOUS, {"base": base}).one_or_none()
            snap = _Snapshot(
                base, previous[0] if previous else GENESIS_HASH, utc(previous[1]) if previous else None
            )
            checks = conn.execute(recheck_statement(len(request.streams), keyed), params).one()
            self._fill_checks(snap, request, checks)
            return snap
        snap = _Snapshot(base, row[2] or GENESIS_HASH, utc(row[3]) if row[3] else None)
        self._fill_checks(snap, request, row[4:])
        return snap

    def _fill_checks(self, snap: _Snapshot, request: PreparedAppend, values: Sequence[Any]) -> None:
        for stream, version in zip(request.streams, values, strict=False):
            snap.versions[stream.stream_id] = version or 0
        if request.idempotency_key is not None and values[-2] is not None:
            snap.idempotency = (values[-2], json.loads(values[-1]))

    def _rows(
        self, request: PreparedAppend, snap: _Snapshot, recorded_at: datetime
    ) -> tuple[list[dict[str, Any]], dict[str, int]]:
        rows: list[dict[str, Any]] = []
        versions: dict[str, int] = {}
        position, prev_hash, stamp = snap.base, snap.last_hash, format_time(recorded_at)
        for stream in request.streams:
            version = snap.versions.get(stream.stream_id, 0)
            for event in stream.events:
                position += 1
                version += 1
                digest = event_hash(
                    prev_hash=prev_hash,
                    position=position,
                    stream_id=stream.stream_id,
                    version=version,
                    event_id=event.event_id,
                    type=event.type,
                    schema_version=event.schema_version,
                    data_json=event.data_json,
                    metadata_json=event.metadata_json,
                    recorded_at=stamp,
                )
                rows.append(
                    {
                        "position": position,
                        "stream_id": stream.stream_id,
                        "version": version,
                        "event_id": event.event_id,
                        "type": event.type,
                        "schema_version": event.schema_version,
                        "data": event.data_json,
                        "metadata": event.metadata_json,
                        "recorded_at": recorded_at,
                        "prev_hash": prev_hash,
                        "hash": digest,
                    }
                )
                prev_hash = digest
            versions[stream.stream_id] = version
        return rows, versions

    def idempotent_result(self, key: str) -> tuple[str, AppendResult] | None:
        """The request hash and first result stored for an idempotency key, if it was used."""
        idem = idempotency_table.c
        with self.reader.connect() as conn:
            row = conn.execute(
                select(idem.request_hash, cast(idem.result, Text)).where(idem.key == key)
            ).one_or_none()
        if row is None:
            return None
        stored = json.loads(row[1])
        return row[0], AppendResult(
            tuple(stored["positions"]), dict(stored["stream_versions"]), replayed=True
        )

    # -- reading -------------------------------------------------------------------------------

    def head(self) -> LogHead:
        with self.reader.connect() as conn:
            row = conn.execute(
                select(E.position, E.hash, E.recorded_at).order_by(E.position.desc()).limit(1)
            ).one_or_none()
        if row is None:
            return LogHead(0, GENESIS_HASH, None)
        return LogHead(row[0], row[1], utc(row[2]))

    def stream_version(self, stream_id: str) -> int:
        check_stream_id(stream_id)
        with self.reader.connect() as conn:
            value = conn.execute(select(func.max(E.version)).where(E.stream_id == stream_id)).scalar()
        return int(value or 0)

    def read_stream(
        self,
        stream_id: str,
        from_version: int = 1,
        to_version: int | None = None,
        *,
        to_position: int | None = None,
    ) -> list[RecordedEvent]:
        """A stream's events in version order; ``to_position`` cuts it as of a point in the log."""
        check_stream_id(stream_id)
        params = {"sid": stream_id, "lo": from_version, "hi": to_version, "pos": to_position}
        with self.reader.connect() as conn:
            rows = conn.execute(
                _stream_statement(to_version is not None, to_position is not None), params
            ).all()
        return [self._decode(row) for row in rows]

    def read_all(
        self, after: int = 0, limit: int = 1000, to_position: int | None = None
    ) -> list[RecordedEvent]:
        """One page of the whole log, in position order, strictly after ``after``."""
        if limit < 1:
            raise InvalidAppend("limit", "must be at least 1")
        # Positions are gap-free, so a page is a range of the primary key: the plan stays an index range
        # scan even on a table never analysed (ORDER BY ... LIMIT then may sort the whole table).
        upper = min(after + limit, MAX_POSITION) if to_position is None else min(after + limit, to_position)
        stmt = select(*READ_COLUMNS).where(E.position > after, E.position <= upper).order_by(E.position)
        with self.reader.connect() as conn:
            rows = conn.execute(stmt).all()
        return [self._decode(row) for row in rows]

    def iter_all(
        self, after: int = 0, to_position: int | None = None, page_size: int = 2000
    ) -> Iterator[RecordedEvent]:
        """Every event after ``after`` (up to ``to_position``), paged so memory stays flat."""
        while True:
            page = self.read_all(after, page_size, to_position)
            yield from page
            if len(page) < page_size:
                return
            after = page[-1].position

    def iter_payloads(
        self, after: int = 0, to_position: int | None = None, page_size: int = 5000
    ) -> Iterator[Payload]:
        """Replay: every event's position, stream, version, type and (upcast) data, in position order.

        Reads six columns instead of eleven (no hashes, ids, metadata or times), pages by position range,
        and builds a named tuple per event: about twice as fast as ``iter_all`` for rebuilding state.
        """
        upcast, outdated = self.registry.upcast, self.registry.is_outdated
        while True:
            upper = after + page_size if to_position is None else min(after + page_size, to_position)
            if upper <= after:
                return
            with self.reader.connect() as conn:
                rows = conn.execute(_PAYLOADS, {"after": after, "upper": upper}).all()
            for position, stream_id, version, type_, stored, text in rows:
                schema, data = stored, _loads(text)
                if outdated(type_, stored):
                    schema, data = upcast(type_, stored, data)
                yield Payload(position, stream_id, version, type_, schema, data)
            if len(rows) < upper - after:
                return
            after = upper

    def position_at(self, moment: datetime) -> int:
        """The last position recorded at or before ``moment``: the log "as of" that time.

        ``recorded_at`` never decreases along positions, so this bisects the primary key (about
        log2(n) point reads) instead of keeping an index on time that every append would pay for.
        """
        when = utc(moment)
        stmt = select(E.recorded_at).where(E.position == bindparam("p"))
        with self.reader.connect() as conn:
            low, high = 0, int(conn.execute(select(func.max(E.position))).scalar() or 0)
            while low < high:
                middle = (low + high + 1) // 2
                if utc(conn.execute(stmt, {"p": middle}).scalar_one()) <= when:
                    low = middle
                else:
                    high = middle - 1
        return low

    def _decode(self, row: Any) -> RecordedEvent:
        # Positional and branch-light: replay and projections call this once per event.
        data = _loads(row[6])
        version = row[5]
        if self.registry.is_outdated(row[4], version):
            version, data = self.registry.upcast(row[4], version, data)
        metadata = {} if row[7] == "{}" else _loads(row[7])
        return RecordedEvent(
            row[0], row[1], row[2], row[3], row[4], version, data, metadata, row[8], row[9], row[10]
        )


_PAYLOADS = (
    select(E.position, E.stream_id, E.version, E.type, E.schema_version, cast(E.data, Text))
    .where(E.position > bindparam("after"), E.position <= bindparam("upper"))
    .order_by(E.position)
)


@lru_cache(maxsize=4)
def _stream_statement(upper_version: bool, upper_position: bool) -> Select[Any]:
    """The four shapes of a stream read, built once (every command and query reads a stream)."""
    stmt = select(*READ_COLUMNS).where(E.stream_id == bindparam("sid"), E.version >= bindparam("lo"))
    if upper_version:
        stmt = stmt.where(E.version <= bindparam("hi"))
    if upper_position:
        stmt = stmt.where(E.position <= bindparam("pos"))
    return stmt.order_by(E.version)


def _result_json(result: AppendResult) -> PreEncoded:
    return PreEncoded(
        canonical_json({"positions": list(result.positions), "stream_versions": dict(result.stream_versions)})
    )


def _replay(request: PreparedAppend, request_hash: str, stored: Mapping[str, Any]) -> AppendResult:
    assert request.idempotency_key is not None
    if request_hash != request.request_hash:
        raise IdempotencyConflict(request.idempotency_key)
    return AppendResult(tuple(stored["positions"]), dict(stored["stream_versions"]), replayed=True)


def _translate(exc: IntegrityError) -> Exception:
    text = str(exc.orig)
    if "event_id" in text:
        return InvalidAppend("event_id", "an event with this id is already stored")
    return exc
