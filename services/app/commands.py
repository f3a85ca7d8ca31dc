"""Run a command on an aggregate: load its stream, let the domain decide, append at the version seen."""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from domain.shared.events import Event, from_data, to_data
from services.eventstore.errors import ConcurrencyError, IdempotencyConflict
from services.eventstore.model import AppendResult, NewEvent, StreamAppend
from services.eventstore.store import EventStore
from services.infra.logs import get_logger

S = TypeVar("S")
log = get_logger("kaohe.commands")


@dataclass(frozen=True)
class Aggregate(Generic[S]):
    """How a kind of stream is folded and decided: the domain's functions, named once."""

    name: str
    fold: Callable[[Iterable[Event], S | None], S]
    decide: Callable[[S, Any], list[Event]]

    def stream_id(self, key: str) -> str:
        return f"{self.name}-{key}"


@dataclass(frozen=True)
class Actor:
    """Who is acting: recorded in every event's metadata."""

    user_id: str
    name: str
    role: str
    unit: str | None = None


@dataclass(frozen=True)
class RequestInfo:
    request_id: str | None = None
    correlation_id: str | None = None
    idempotency_key: str | None = None
    fingerprint: str | None = None
    if_match: int | None = None


@dataclass(frozen=True)
class CommandResult:
    stream_id: str
    stream_version: int
    position: int
    events: Sequence[Event] = ()
    replayed: bool = False


class StaleVersion(Exception):
    """If-Match named a version that is no longer the stream's current one."""

    def __init__(self, stream_id: str, expected: int, actual: int) -> None:
        super().__init__(f"{stream_id} is at version {actual}, not {expected}")
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


def fingerprint(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


@dataclass
class _Cached:
    version: int
    state: Any


AfterAppend = Callable[[CommandResult, RequestInfo], None]


@dataclass
class CommandRunner:
    """Loads aggregates (with a per-process cache: events never change) and appends decisions.

    ``after_append`` runs after each committed append (never for a replay): the API wakes the workers
    there. It must not fail the command, so its errors are logged and swallowed.
    """

    store: EventStore
    after_append: AfterAppend | None = None
    _cache: dict[str, _Cached] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def load(self, aggregate: Aggregate[S], stream_id: str) -> tuple[S, int]:
        with self._lock:
            cached = self._cache.get(stream_id)
        version, state = (cached.version, cached.state) if cached else (0, None)
        recorded = self.store.read_stream(stream_id, from_version=version + 1)
        if recorded:
            state = aggregate.fold((from_data(e.type, e.data) for e in recorded), state)
            version = recorded[-1].version
            with self._lock:
                current = self._cache.get(stream_id)
                if current is None or current.version < version:
                    self._cache[stream_id] = _Cached(version, state)
        return (state if state is not None else aggregate.fold((), None)), version

    def load_as_of(self, aggregate: Aggregate[S], stream_id: str, position: int) -> tuple[S, int]:
        recorded = self.store.read_stream(stream_id, to_position=position)
        state = aggregate.fold((from_data(e.type, e.data) for e in recorded), None)
        return state, (recorded[-1].version if recorded else 0)

    def execute(
        self, aggregate: Aggregate[S], key: str, command: Any, actor: Actor, request: RequestInfo
    ) -> CommandResult:
        stream_id = aggregate.stream_id(key)
        replay = self.replay(stream_id, request)
        if replay is not None:
            return replay
        state, version = self.load_for_write(aggregate, stream_id, request)
        events = aggregate.decide(state, command)
        return self.append([(stream_id, version, events)], actor, request, primary=stream_id)

    def load_for_write(self, aggregate: Aggregate[S], stream_id: str, request: RequestInfo) -> tuple[S, int]:
        """The current state to decide on; refused (412) when If-Match names another version."""
        state, version = self.load(aggregate, stream_id)
        if request.if_match is not None and request.if_match != version:
            raise StaleVersion(stream_id, request.if_match, version)
        return state, version

    def replay(self, stream_id: str, request: RequestInfo) -> CommandResult | None:
        """A retried request with a known Idempotency-Key gets the first response again."""
        if request.idempotency_key is None:
            return None
        found = self.store.idempotent_result(request.idempotency_key)
        if found is None:
            return None
        stored_fingerprint, result = found
        if request.fingerprint is not None and stored_fingerprint != request.fingerprint:
            raise IdempotencyConflict(request.idempotency_key)
        return _result(stream_id, result, ())

    def append(
        self,
        changes: Sequence[tuple[str, int, Sequence[Event]]],
        actor: Actor,
        request: RequestInfo,
        primary: str,
    ) -> CommandResult:
        """Append the decided events of one or more streams in one transaction."""
        meta = metadata(actor, request)
        batches = [
            StreamAppend(stream_id, [NewEvent(e.TYPE, to_data(e), meta) for e in events], version)
            for stream_id, version, events in changes
            if events
        ]
        if not batches:
            version = next(v for s, v, _ in changes if s == primary)
            return CommandResult(primary, version, self.store.head().position)
        try:
            result = self.store.append_streams(batches, request.idempotency_key, request.fingerprint)
        except ConcurrencyError as exc:
            # One rule for both databases and every timing: a request that named its version (If-Match)
            # and finds the stream elsewhere when it writes is answered 412, whether it saw that when it
            # read or a concurrent writer won between its read and its append. 409 is for a request
            # without If-Match that lost such a race.
            if request.if_match is not None and exc.stream_id == primary:
                raise StaleVersion(primary, request.if_match, exc.actual_version) from exc
            raise
        decided = [e for s, _, events in changes if s == primary for e in events]
        outcome = _result(primary, result, decided)
        if not result.replayed:
            self._notify(outcome, request)
        return outcome

    def _notify(self, result: CommandResult, request: RequestInfo) -> None:
        if self.after_append is None:
            return
        try:
            self.after_append(result, request)
        except Exception as exc:  # the events are committed; the sweep will pick them up
            log.warning("after_append_failed", error=f"{exc.__class__.__name__}: {exc}")


def _result(stream_id: str, result: AppendResult, events: Sequence[Event]) -> CommandResult:
    if stream_id not in result.stream_versions and len(result.stream_versions) == 1:
        # A replayed create: the stream it made first is the one to report, not a newly minted id.
        (stream_id,) = result.stream_versions
    version = result.stream_versions.get(stream_id, 0)
    return CommandResult(stream_id, version, result.last_position, events, result.replayed)


SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
"""Request and correlation ids as stored in the immutable metadata: short, printable, no separators."""


def safe_id(value: str | None) -> str | None:
    return value if value is not None and SAFE_ID.match(value) else None


def metadata(actor: Actor, request: RequestInfo) -> dict[str, Any]:
    meta: dict[str, Any] = {"actor": actor.user_id, "actor_name": actor.name, "role": actor.role}
    if actor.unit:
        meta["acting_for"] = actor.unit
    request_id = safe_id(request.request_id)
    if request_id:
        meta["request_id"] = request_id
        # A caller's correlation id that is too long or carries other characters is replaced, not kept.
        meta["correlation_id"] = safe_id(request.correlation_id) or request_id
    return meta
