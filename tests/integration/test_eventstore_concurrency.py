"""Real processes on PostgreSQL: writers race on shared streams while a reader tails the global order."""

from __future__ import annotations

import multiprocessing as mp
import random
import time
import uuid
from typing import Any

import pytest

from services.eventstore.errors import ConcurrencyError
from services.eventstore.model import NewEvent, StreamAppend
from services.eventstore.prepare import prepare
from services.eventstore.registry import EventTypeRegistry
from services.eventstore.store import EventStore
from services.eventstore.verify import verify_database
from services.infra.db import make_engine

WRITERS = 8
APPENDS = 1000
STREAMS = 24
SLOW_APPENDS = 4
SLOW_SECONDS = 1.5

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def make_store(url: str) -> EventStore:
    reg = EventTypeRegistry()
    reg.register("ScoreDetermined")
    return EventStore(make_engine(url, pool_size=1), reg)


def writer(url: str, seed: int, start: Any, out: Any) -> None:
    store = make_store(url)
    rng = random.Random(seed)
    committed: list[tuple[str, str, int]] = []
    conflicts = 0
    start.wait()
    for i in range(APPENDS):
        stream = f"unit-{rng.randrange(STREAMS)}"
        event_id = str(uuid.uuid4())
        while True:
            version = store.stream_version(stream)
            try:
                result = store.append(
                    stream, [NewEvent("ScoreDetermined", {"w": seed, "i": i}, event_id=event_id)], version
                )
                break
            except ConcurrencyError:
                conflicts += 1
        committed.append((event_id, stream, result.stream_versions[stream]))
    out.put(("writer", committed, conflicts))


def slow_writer(url: str, start: Any, out: Any) -> None:
    """Holds its append transaction open for seconds: the case that made Marten's daemon skip events."""
    store = make_store(url)
    committed = []
    start.wait()
    for i in range(SLOW_APPENDS):
        time.sleep(0.5)
        event_id = str(uuid.uuid4())
        request = prepare(
            [StreamAppend("slow", [NewEvent("ScoreDetermined", {"slow": i}, event_id=event_id)], i)],
            None,
            store.registry,
        )
        with store.engine.connect() as conn, conn.begin():
            result = store._append_locked(conn, request)
            time.sleep(SLOW_SECONDS)
        committed.append((event_id, "slow", result.stream_versions["slow"]))
    out.put(("writer", committed, 0))


def reader(url: str, total: int, start: Any, out: Any) -> None:
    store = make_store(url)
    seen: list[tuple[int, str]] = []
    after = 0
    start.wait()
    deadline = time.monotonic() + 300
    while len(seen) < total and time.monotonic() < deadline:
        page = store.read_all(after=after, limit=500)
        seen.extend((e.position, e.event_id) for e in page)
        if page:
            after = page[-1].position
        else:
            time.sleep(0.005)
    out.put(("reader", seen, 0))


def test_writers_and_a_tailing_reader_never_lose_or_reorder_events(pg_url: str) -> None:
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    total = WRITERS * APPENDS + SLOW_APPENDS
    procs = [ctx.Process(target=writer, args=(pg_url, seed, start, out)) for seed in range(WRITERS)]
    procs.append(ctx.Process(target=slow_writer, args=(pg_url, start, out)))
    procs.append(ctx.Process(target=reader, args=(pg_url, total, start, out)))
    for p in procs:
        p.start()
    start.set()
    results = [out.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0

    committed = [c for kind, items, _ in results if kind == "writer" for c in items]
    (seen,) = [items for kind, items, _ in results if kind == "reader"]
    conflicts = sum(n for kind, _, n in results if kind == "writer")

    assert len(committed) == total
    assert len({event_id for event_id, _, _ in committed}) == total, "no event duplicated"
    positions = [p for p, _ in seen]
    assert positions == list(range(1, total + 1)), "the reader saw every position once, in order"
    assert {event_id for _, event_id in seen} == {event_id for event_id, _, _ in committed}
    assert conflicts > 0, "the writers really did race on shared streams"

    store = make_store(pg_url)
    for stream in {s for _, s, _ in committed}:
        versions = [e.version for e in store.read_stream(stream)]
        assert versions == list(range(1, len(versions) + 1)), f"{stream} has contiguous versions"
    result = verify_database(store.engine)
    assert result.ok and result.checked == total
