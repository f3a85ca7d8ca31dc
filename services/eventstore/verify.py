"""Walk the log (or an export of it) and recompute the hash chain; name the first position that fails."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Text, cast, select

from services.eventstore.canonical import GENESIS_HASH, NotCanonical, canonical_json, event_hash, format_time
from services.eventstore.store import utc
from services.eventstore.tables import events_table, head_table

E = events_table.c


@dataclass(frozen=True)
class RawEvent:
    """An event exactly as stored: payloads as JSON text, nothing upcast."""

    position: int
    stream_id: str
    version: int
    event_id: str
    type: str
    schema_version: int
    data_json: str
    metadata_json: str
    recorded_at: datetime
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    last_position: int
    bad_position: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.bad_position is None


def verify_events(
    events: Iterable[RawEvent], start_hash: str = GENESIS_HASH, start_position: int = 0
) -> VerifyResult:
    """Check order, links and hashes; stop at the first event that does not hold."""
    prev_hash, expected, checked = start_hash, start_position + 1, 0
    for event in events:
        problem = _problem(event, expected, prev_hash)
        if problem is not None:
            # A missing event is named by the position that should have been there.
            return VerifyResult(checked, expected - 1, min(event.position, expected), problem)
        prev_hash, expected, checked = event.hash, expected + 1, checked + 1
    return VerifyResult(checked, expected - 1)


def _problem(event: RawEvent, expected_position: int, prev_hash: str) -> str | None:
    if event.position != expected_position:
        return f"expected position {expected_position}, found {event.position} (an event is missing)"
    if event.prev_hash != prev_hash:
        return "prev_hash does not match the previous event's hash"
    try:
        data_json = canonical_json(json.loads(event.data_json))
        metadata_json = canonical_json(json.loads(event.metadata_json))
    except (ValueError, NotCanonical) as exc:
        return f"payload is not canonical JSON: {exc}"
    digest = event_hash(
        prev_hash=event.prev_hash,
        position=event.position,
        stream_id=event.stream_id,
        version=event.version,
        event_id=event.event_id,
        type=event.type,
        schema_version=event.schema_version,
        data_json=data_json,
        metadata_json=metadata_json,
        recorded_at=format_time(event.recorded_at),
    )
    if digest != event.hash:
        return "hash does not match the event's content"
    return None


def iter_raw(
    engine: Engine, after: int = 0, to_position: int | None = None, page: int = 5000
) -> Iterator[RawEvent]:
    columns = (
        E.position, E.stream_id, E.version, E.event_id, E.type, E.schema_version,
        cast(E.data, Text), cast(E.metadata, Text), E.recorded_at, E.prev_hash, E.hash,
    )  # fmt: skip
    while True:
        stmt = select(*columns).where(E.position > after)
        if to_position is not None:
            stmt = stmt.where(E.position <= to_position)
        with engine.connect() as conn:
            rows = conn.execute(stmt.order_by(E.position).limit(page)).all()
        for row in rows:
            yield RawEvent(*row[:8], utc(row[8]), row[9], row[10])  # type: ignore[call-arg]
        if len(rows) < page:
            return
        after = rows[-1][0]


def verify_database(engine: Engine) -> VerifyResult:
    """The whole log, then the head: a head ahead of the last event means events were removed."""
    with engine.connect() as conn:
        head = conn.execute(select(head_table.c.position)).scalar()
    # Read up to the head as it was first seen: appends that land meanwhile are not our concern.
    result = verify_events(iter_raw(engine, to_position=head))
    if not result.ok:
        return result
    if head is not None and head != result.last_position:
        return VerifyResult(
            result.checked,
            result.last_position,
            result.last_position + 1,
            f"the log head says {head} events, but the log ends at {result.last_position}",
        )
    return result


def raw_from_json(record: dict[str, Any]) -> RawEvent:
    """An exported line back into a RawEvent (the export writes payloads as canonical JSON)."""
    return RawEvent(
        position=int(record["position"]),
        stream_id=record["stream_id"],
        version=int(record["version"]),
        event_id=record["event_id"],
        type=record["type"],
        schema_version=int(record["schema_version"]),
        data_json=canonical_json(record["data"]),
        metadata_json=canonical_json(record["metadata"]),
        recorded_at=utc(datetime.fromisoformat(record["recorded_at"].replace("Z", "+00:00"))),
        prev_hash=record["prev_hash"],
        hash=record["hash"],
    )
