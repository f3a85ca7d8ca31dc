"""Validation of an append before any database work: bad input never reaches the log."""

from __future__ import annotations

import hashlib
import os
import re
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from services.eventstore.canonical import NotCanonical, PreEncoded, canonical_json
from services.eventstore.errors import InvalidAppend, UnknownEventType
from services.eventstore.model import StreamAppend
from services.eventstore.registry import EventTypeRegistry
from services.eventstore.tables import IDEMPOTENCY_KEY_MAX, STREAM_ID_MAX

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_EVENTS_PER_APPEND = 10_000


@dataclass(frozen=True)
class PreparedEvent:
    event_id: str
    type: str
    schema_version: int
    data_json: PreEncoded
    metadata_json: PreEncoded


@dataclass(frozen=True)
class PreparedStream:
    stream_id: str
    expected_version: int | None
    events: tuple[PreparedEvent, ...]


@dataclass(frozen=True)
class PreparedAppend:
    streams: tuple[PreparedStream, ...]
    idempotency_key: str | None
    request_hash: str

    @property
    def count(self) -> int:
        return sum(len(s.events) for s in self.streams)


def prepare(
    batches: Sequence[StreamAppend],
    idempotency_key: str | None,
    registry: EventTypeRegistry,
    fingerprint: str | None = None,
) -> PreparedAppend:
    if not batches:
        raise InvalidAppend("streams", "nothing to append")
    seen: set[str] = set()
    streams = []
    for i, batch in enumerate(batches):
        check_stream_id(batch.stream_id, f"streams[{i}].stream_id")
        if batch.stream_id in seen:
            raise InvalidAppend(f"streams[{i}].stream_id", f"stream {batch.stream_id!r} appears twice")
        seen.add(batch.stream_id)
        streams.append(_prepare_stream(batch, f"streams[{i}]", registry))
    total = sum(len(s.events) for s in streams)
    if total > MAX_EVENTS_PER_APPEND:
        raise InvalidAppend("events", f"at most {MAX_EVENTS_PER_APPEND} events per append, not {total}")
    if idempotency_key is not None:
        _check_key(idempotency_key)
    # The request hash only matters for idempotency keys; computing it costs a second canonical encoding.
    request_hash = "" if idempotency_key is None else fingerprint or _request_hash(streams)
    return PreparedAppend(tuple(streams), idempotency_key, request_hash)


def check_stream_id(stream_id: Any, field: str = "stream_id") -> None:
    if not isinstance(stream_id, str) or not stream_id.strip():
        raise InvalidAppend(field, "a stream id must be a non-empty string")
    if len(stream_id) > STREAM_ID_MAX:
        raise InvalidAppend(
            field, f"a stream id has at most {STREAM_ID_MAX} characters, not {len(stream_id)}"
        )
    if _CONTROL.search(stream_id):
        raise InvalidAppend(field, "a stream id may not contain control characters")


def _prepare_stream(batch: StreamAppend, field: str, registry: EventTypeRegistry) -> PreparedStream:
    expected = batch.expected_version
    if expected is not None and (isinstance(expected, bool) or not isinstance(expected, int) or expected < 0):
        raise InvalidAppend(f"{field}.expected_version", "must be a whole number >= 0 (0: a new stream)")
    if not batch.events:
        raise InvalidAppend(f"{field}.events", "at least one event is needed")
    events = tuple(
        _prepare_event(event, f"{field}.events[{j}]", registry) for j, event in enumerate(batch.events)
    )
    return PreparedStream(batch.stream_id, expected, events)


def _prepare_event(event: Any, field: str, registry: EventTypeRegistry) -> PreparedEvent:
    if not isinstance(event.type, str) or not registry.knows(event.type):
        raise UnknownEventType(f"{field}.type", str(event.type))
    if not isinstance(event.data, Mapping):
        raise InvalidAppend(f"{field}.data", "must be a JSON object")
    if not isinstance(event.metadata, Mapping):
        raise InvalidAppend(f"{field}.metadata", "must be a JSON object")
    try:
        data_json = canonical_json(dict(event.data))
    except NotCanonical as exc:
        raise InvalidAppend(f"{field}.data", str(exc).replace("$", "data", 1)) from None
    try:
        metadata_json = canonical_json(dict(event.metadata))
    except NotCanonical as exc:
        raise InvalidAppend(f"{field}.metadata", str(exc).replace("$", "metadata", 1)) from None
    return PreparedEvent(
        event_id=_event_id(event.event_id, f"{field}.event_id"),
        type=event.type,
        schema_version=registry.current_version(event.type),
        data_json=PreEncoded(data_json),
        metadata_json=PreEncoded(metadata_json),
    )


def _event_id(value: str | None, field: str) -> str:
    if value is None:
        return time_ordered_uuid()
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise InvalidAppend(field, f"{value!r} is not a UUID") from None


def time_ordered_uuid() -> str:
    """A UUIDv7 (RFC 9562): milliseconds first, so the unique index on event_id grows at its end
    instead of touching a random page for every event."""
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return str(uuid.UUID(int=value))


def _check_key(key: Any) -> None:
    if not isinstance(key, str) or not key.strip():
        raise InvalidAppend("idempotency_key", "must be a non-empty string")
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise InvalidAppend("idempotency_key", f"at most {IDEMPOTENCY_KEY_MAX} characters")
    if _CONTROL.search(key):
        raise InvalidAppend("idempotency_key", "may not contain control characters")


def _request_hash(streams: Sequence[PreparedStream]) -> str:
    # What the caller asked for; event ids and metadata (request ids, times) differ between retries.
    shape = [
        [s.stream_id, s.expected_version, [[e.type, e.schema_version, e.data_json] for e in s.events]]
        for s in streams
    ]
    return hashlib.sha256(canonical_json(shape).encode("utf-8")).hexdigest()
