"""What goes into the store and what comes out of it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

ANY_VERSION = None
"""Pass as ``expected_version`` to append without a concurrency check."""


@dataclass(frozen=True)
class NewEvent:
    type: str
    data: Mapping[str, Any]
    metadata: Mapping[str, Any] = field(default_factory=dict)
    event_id: str | None = None


@dataclass(frozen=True)
class StreamAppend:
    stream_id: str
    events: Sequence[NewEvent]
    expected_version: int | None = ANY_VERSION


@dataclass(frozen=True)
class AppendResult:
    positions: tuple[int, ...]
    stream_versions: Mapping[str, int]
    replayed: bool = False

    @property
    def last_position(self) -> int:
        return self.positions[-1]


class RecordedEvent(NamedTuple):
    """A stored event as read (payload upcast to the current schema). A named tuple: replay builds one per
    event, and a tuple is built several times faster than a frozen dataclass."""

    position: int
    stream_id: str
    version: int
    event_id: str
    type: str
    schema_version: int
    data: dict[str, Any]
    metadata: dict[str, Any]
    recorded_at: datetime
    prev_hash: str
    hash: str


class Payload(NamedTuple):
    """What a fold needs of an event, and nothing else: the replay path of projections and audits."""

    position: int
    stream_id: str
    version: int
    type: str
    schema_version: int
    data: dict[str, Any]


@dataclass(frozen=True)
class LogHead:
    position: int
    hash: str
    recorded_at: datetime | None
