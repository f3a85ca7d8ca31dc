"""Event store benchmark: our append, batch append and replay against raw-driver baselines, in one run.

    python bench/eventstore.py [--quick]      (env: BENCH_N, BENCH_STREAMS, BENCH_REPEATS, BENCH_PG_URL)

Every measurement writes the same N events (~300-byte JSON payloads, round-robin over the streams) on
PostgreSQL and on SQLite, and is repeated; the report shows medians and their ratios to the raw baseline
of the same run, then one `TARGET` line per goal (the research notes on event stores, part B).

- raw A: the bare driver (psycopg 3 / sqlite3), INSERT then COMMIT per event into a table of the same shape
  (position, stream_id, version, type, data; UNIQUE(stream_id, version)); json.dumps is inside the loop.
- raw B: 100 events per transaction with executemany (psycopg runs it in pipeline mode).
- raw R: SELECT ... ORDER BY position with data as text, json.loads, fold into a dict per stream. Every
  replay runs after ANALYZE (PostgreSQL) and one untimed pass that warms the cache.
- ours: EventStore on a fresh database migrated by services.infra.migrate, expected versions tracked here.
  The batch target uses append_streams() with the same 100 consecutive events as raw B (100 streams of
  one event each); "1 stream x 100 events" (up to 100 events of one stream per append()) is shown
  for information.
- eventsourcing: the PyPI library (one Application, one Aggregate class, one event per save()).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
import uuid
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from sqlalchemy.engine import make_url

from bench.common import (
    PostgresDatabases,
    Rates,
    Settings,
    checkpoint,
    format_table,
    pg_execute,
    pg_params,
    pg_server_version,
    postgres_databases,
    target_line,
    timed,
)
from services.eventstore.model import NewEvent, StreamAppend
from services.eventstore.registry import EventTypeRegistry
from services.eventstore.store import EventStore
from services.infra.db import make_engine
from services.infra.migrate import migrate

EVENT_TYPE = "IndicatorScored"
BATCH = 100
LIB_PAGE = 1000
STREAM_NAMESPACE = uuid.UUID("6b616f68-6500-4000-8000-62656e636800")

Event = tuple[str, int, dict[str, str]]  # stream id, version (from 1), payload
State = dict[Any, dict[str, str]]

# (key, label, baseline key); a row's ratio is its median over its baseline's median.
ROWS = (
    ("raw_single", "raw A: INSERT + COMMIT, 1 event/txn", "raw_single"),
    ("append", "ours: append(), 1 event/call", "raw_single"),
    ("lib_save", "eventsourcing: save(), 1 event/txn", "raw_single"),
    ("raw_batch", "raw B: executemany, 100 events/txn", "raw_batch"),
    ("batch", "ours: append_streams(), 100 streams x 1 event/call", "raw_batch"),
    ("batch_stream", "ours: append(), 1 stream x 100 events/call", "raw_batch"),
    ("raw_replay", "raw R: SELECT text + json.loads + fold", "raw_replay"),
    ("replay", "ours: iter_payloads() -> Payload + fold", "raw_replay"),
    ("replay_full", "ours: iter_all() -> RecordedEvent (hashes, metadata) + fold", "raw_replay"),
    ("lib_read", "eventsourcing: select_notifications + to_domain_event + fold", "raw_replay"),
)
TARGETS = (("append", "raw_single", 0.6), ("batch", "raw_batch", 0.5), ("replay", "raw_replay", 0.6))


# -- the workload -----------------------------------------------------------------------------------


def payload(i: int) -> dict[str, str]:
    """About 300 bytes of canonical JSON, strings only (the store refuses floats)."""
    return {
        "unit": f"第{i % 37 + 1}考核单位",
        "indicator": f"指标{i % 53:03d}：依法行政与政务公开",
        "score": f"{i % 100}.{i % 10}",
        "reviewer": f"reviewer-{i % 97:04d}",
        "basis": f"《年度绩效考核实施方案》第{i % 9 + 1}章",
        "comment": "材料齐全，佐证充分，按评分细则核定得分。" + "补充说明。" * (i % 4),
        "ref": f"KH-2026-{i:06d}",
    }


def workload(n: int, streams: int) -> list[Event]:
    ids = [str(uuid.uuid5(STREAM_NAMESPACE, str(k))) for k in range(streams)]
    versions = [0] * streams
    events: list[Event] = []
    for i in range(n):
        k = i % streams
        versions[k] += 1
        events.append((ids[k], versions[k], payload(i)))
    return events


def fold(events: Sequence[Event]) -> State:
    state: State = {}
    for stream_id, _version, data in events:
        state.setdefault(stream_id, {}).update(data)
    return state


def payload_bytes(events: Sequence[Event]) -> float:
    sizes = [
        len(json.dumps(d, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
        for *_, d in events
    ]
    return sum(sizes) / len(sizes)


def check(ok: bool, what: str) -> None:
    if not ok:
        raise RuntimeError(f"benchmark self-check failed: {what}")


# -- raw driver baselines ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RawSQL:
    create: str
    insert: str
    replay: str


RAW_PG = RawSQL(
    create="CREATE TABLE raw_events (position bigserial PRIMARY KEY, stream_id text NOT NULL, "
    "version integer NOT NULL, type text NOT NULL, data jsonb NOT NULL, UNIQUE (stream_id, version))",
    insert="INSERT INTO raw_events (stream_id, version, type, data) VALUES (%s, %s, %s, %s)",
    replay="SELECT position, stream_id, version, type, data::text FROM raw_events ORDER BY position",
)
RAW_SQLITE = RawSQL(
    create="CREATE TABLE raw_events (position INTEGER PRIMARY KEY, stream_id TEXT NOT NULL, "
    "version INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, UNIQUE (stream_id, version))",
    insert="INSERT INTO raw_events (stream_id, version, type, data) VALUES (?, ?, ?, ?)",
    replay="SELECT position, stream_id, version, type, CAST(data AS TEXT) FROM raw_events ORDER BY position",
)


def raw_row(event: Event) -> tuple[str, int, str, str]:
    stream_id, version, data = event
    return stream_id, version, EVENT_TYPE, json.dumps(data, ensure_ascii=False)


def raw_single(conn: Any, sql: RawSQL, events: Sequence[Event]) -> None:
    cur = conn.cursor()
    for item in events:
        cur.execute(sql.insert, raw_row(item))
        conn.commit()


def raw_batch(conn: Any, sql: RawSQL, events: Sequence[Event]) -> None:
    cur = conn.cursor()
    for start in range(0, len(events), BATCH):
        cur.executemany(sql.insert, [raw_row(item) for item in events[start : start + BATCH]])
        conn.commit()


def raw_replay(conn: Any, sql: RawSQL) -> State:
    state: State = {}
    cur = conn.cursor()
    cur.execute(sql.replay)
    for _position, stream_id, _version, _type, data in cur:
        state.setdefault(stream_id, {}).update(json.loads(data))
    conn.commit()
    return state


# -- our event store --------------------------------------------------------------------------------


def our_single(store: EventStore, events: Sequence[Event]) -> None:
    for stream_id, version, data in events:
        store.append(stream_id, [NewEvent(EVENT_TYPE, data)], version - 1)


def our_batches(store: EventStore, plan: Sequence[Sequence[tuple[str, int, list[dict[str, str]]]]]) -> None:
    """Each plan step is one append_streams() call: (stream id, expected version, payloads) per stream."""
    for step in plan:
        store.append_streams(
            [
                StreamAppend(s, [NewEvent(EVENT_TYPE, d) for d in payloads], expected)
                for s, expected, payloads in step
            ]
        )


def plan_spread(events: Sequence[Event]) -> list[list[tuple[str, int, list[dict[str, str]]]]]:
    """The same 100 consecutive events as raw B in each call, grouped by stream."""
    return [_group(events[start : start + BATCH]) for start in range(0, len(events), BATCH)]


def plan_per_stream(events: Sequence[Event]) -> list[list[tuple[str, int, list[dict[str, str]]]]]:
    """Up to 100 events of a single stream in each call, stream after stream."""
    by_stream: dict[str, list[Event]] = {}
    for item in events:
        by_stream.setdefault(item[0], []).append(item)
    return [
        _group(chunk)
        for items in by_stream.values()
        for chunk in (items[start : start + BATCH] for start in range(0, len(items), BATCH))
    ]


def _group(chunk: Sequence[Event]) -> list[tuple[str, int, list[dict[str, str]]]]:
    grouped: dict[str, tuple[str, int, list[dict[str, str]]]] = {}
    for stream_id, version, data in chunk:
        grouped.setdefault(stream_id, (stream_id, version - 1, []))[2].append(data)
    return list(grouped.values())


def our_replay(store: EventStore) -> State:
    """The replay path: what a fold needs (position, stream, version, type, upcast data)."""
    state: State = {}
    for payload in store.iter_payloads():
        state.setdefault(payload.stream_id, {}).update(payload.data)
    return state


def our_replay_full(store: EventStore) -> State:
    """The audit read: every column of every event (hashes, ids, metadata, times)."""
    state: State = {}
    for recorded in store.iter_all():
        state.setdefault(recorded.stream_id, {}).update(recorded.data)
    return state


def registry() -> EventTypeRegistry:
    types = EventTypeRegistry()
    types.register(EVENT_TYPE)
    return types


# -- the eventsourcing library ----------------------------------------------------------------------


class Assessment(Aggregate):
    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = dict(fields)

    @event("Scored")
    def score(self, fields: dict[str, str]) -> None:
        self.fields.update(fields)


class LibBench(Application):  # type: ignore[type-arg]
    pass


def lib_save(app: LibBench, events: Sequence[Event]) -> None:
    aggregates: dict[str, Assessment] = {}
    for stream_id, _version, data in events:
        aggregate = aggregates.get(stream_id)
        if aggregate is None:
            aggregate = aggregates[stream_id] = Assessment(data)
        else:
            aggregate.score(data)
        app.save(aggregate)


def lib_read(app: LibBench) -> State:
    state: State = {}
    start = 1
    while True:
        page = app.recorder.select_notifications(start, LIB_PAGE)
        for notification in page:
            domain_event = app.mapper.to_domain_event(notification)
            state.setdefault(domain_event.originator_id, {}).update(domain_event.fields)  # type: ignore[attr-defined]
        if len(page) < LIB_PAGE:
            return state
        start = page[-1].id + 1


# -- the two backends -------------------------------------------------------------------------------


class PgBackend:
    name = "pg"
    sql = RAW_PG

    def __init__(self, databases: PostgresDatabases) -> None:
        self.databases = databases

    def fresh(self, label: str) -> str:
        return self.databases.create(label)

    def settle(self, url: str) -> None:
        checkpoint(url)

    def analyze(self, url: str) -> None:
        # As autovacuum would within a minute: on a never-analyzed table the planner pages the log with
        # a sequential scan and an on-disk sort per page (see the report), which is not the steady state.
        pg_execute(url, "ANALYZE")

    def discard(self, url: str) -> None:
        self.databases.drop(url)

    def connect(self, url: str) -> Any:
        return psycopg.connect(url)  # not autocommit: every statement is in a transaction until commit()

    def lib_env(self, url: str) -> dict[str, str]:
        params = pg_params(url)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": params["dbname"],
            "POSTGRES_HOST": params["host"],
            "POSTGRES_PORT": params["port"],
            "POSTGRES_USER": params["user"],
            "POSTGRES_PASSWORD": params["password"],
        }


class SqliteBackend:
    name = "sqlite"
    sql = RAW_SQLITE

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._counter = 0

    def fresh(self, label: str) -> str:
        self._counter += 1
        return f"sqlite:///{self.directory / f'{self._counter}_{label}.db'}"

    def settle(self, url: str) -> None:
        pass

    def analyze(self, url: str) -> None:
        pass

    def discard(self, url: str) -> None:
        path = self.path(url)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    def connect(self, url: str) -> Any:
        conn = sqlite3.connect(self.path(url), isolation_level="DEFERRED")  # BEGIN before each INSERT
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")  # as services/db.py
        return conn

    def lib_env(self, url: str) -> dict[str, str]:
        return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": self.path(url)}

    @staticmethod
    def path(url: str) -> str:
        return str(make_url(url).database)


Backend = PgBackend | SqliteBackend


def measure(backend: Backend, events: Sequence[Event], expected: State, rates: Rates) -> dict[str, float]:
    """One repeat of every measurement on one backend; returns this repeat's rates."""
    n, p, sql = len(events), backend.name, backend.sql
    got: dict[str, float] = {}

    def record(key: str, seconds: float) -> None:
        got[key] = rates.add(f"{p}_{key}", n, seconds)

    url = backend.fresh("raw")
    with closing(backend.connect(url)) as conn:
        conn.execute(sql.create)
        conn.commit()
        backend.settle(url)
        record("raw_single", timed(partial(raw_single, conn, sql, events))[0])
        backend.analyze(url)
        raw_replay(conn, sql)  # warm the cache, as for every replay
        seconds, state = timed(partial(raw_replay, conn, sql))
        check(state == expected, f"{p} raw replay")
        record("raw_replay", seconds)
    backend.discard(url)

    url = backend.fresh("append")
    engine = make_engine(url)
    migrate(engine)
    store = EventStore(engine, registry())
    backend.settle(url)
    record("append", timed(partial(our_single, store, events))[0])
    backend.analyze(url)
    our_replay(store)
    seconds, state = timed(partial(our_replay, store))
    check(state == expected, f"{p} our replay")
    record("replay", seconds)
    our_replay_full(store)
    seconds, state = timed(partial(our_replay_full, store))
    check(state == expected, f"{p} our full read")
    record("replay_full", seconds)
    engine.dispose()
    backend.discard(url)

    url = backend.fresh("batch")
    with closing(backend.connect(url)) as conn:
        conn.execute(sql.create)
        conn.commit()
        backend.settle(url)
        record("raw_batch", timed(partial(raw_batch, conn, sql, events))[0])
    backend.discard(url)

    for key, plan in (("batch", plan_spread(events)), ("batch_stream", plan_per_stream(events))):
        url = backend.fresh(key)
        engine = make_engine(url)
        migrate(engine)
        store = EventStore(engine, registry())
        backend.settle(url)
        record(key, timed(partial(our_batches, store, plan))[0])
        check(store.head().position == n and our_replay(store) == expected, f"{p} {key}")
        engine.dispose()
        backend.discard(url)

    url = backend.fresh("lib")
    app = LibBench(env=backend.lib_env(url))
    backend.settle(url)
    record("lib_save", timed(partial(lib_save, app, events))[0])
    backend.analyze(url)
    lib_read(app)
    seconds, lib_state = timed(partial(lib_read, app))
    check(sorted(map(_key, lib_state.values())) == sorted(map(_key, expected.values())), f"{p} library read")
    record("lib_read", seconds)
    app.close()
    backend.discard(url)
    return got


def _key(value: dict[str, str]) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


# -- the report -------------------------------------------------------------------------------------


def report(rates: Rates, backends: Sequence[str]) -> list[str]:
    rows = []
    for p in backends:
        for key, label, baseline in ROWS:
            name = f"{p}_{key}"
            rows.append(
                [
                    p,
                    label,
                    f"{rates.median(name):,.0f}",
                    f"{rates.spread(name) * 100:.0f}%",
                    f"{rates.ratio(name, f'{p}_{baseline}'):.3f}",
                    f"{p}_{baseline}",
                ]
            )
    header = ["db", "measurement", "events/s", "spread", "ratio", "baseline"]
    lines = [format_table(header, rows), "(median over repeats; spread = (max - min) / median)", ""]
    for p in backends:
        lines.append(
            f"INFO {p}: ours vs eventsourcing: append {rates.ratio(f'{p}_append', f'{p}_lib_save'):.2f}x, "
            f"replay {rates.ratio(f'{p}_replay', f'{p}_lib_read'):.2f}x; "
            f"batch/raw_single {rates.ratio(f'{p}_batch', f'{p}_raw_single'):.1f}x"
        )
    lines.append("")
    for p in backends:
        for key, baseline, goal in TARGETS:
            lines.append(target_line(f"{p}_{key}", rates.ratio(f"{p}_{key}", f"{p}_{baseline}"), goal))
    return lines


def run(settings: Settings) -> None:
    events = workload(settings.n, settings.streams)
    expected = fold(events)
    print(
        f"eventstore bench: N={settings.n} events, {settings.streams} streams, "
        f"payload {payload_bytes(events):.0f} B of JSON on average, batch {BATCH}, "
        f"{settings.repeats} repeat(s), median reported"
    )
    print(
        f"PostgreSQL {pg_server_version(settings.pg_url)} ({make_url(settings.pg_url).host}); "
        f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=FULL); psycopg {psycopg.__version__}"
    )
    print(f"load average before: {_load()}")
    rates = Rates()
    with (
        postgres_databases(settings.pg_url) as databases,
        tempfile.TemporaryDirectory(prefix="kaohe_bench_") as tmp,
    ):
        backends: list[Backend] = [PgBackend(databases), SqliteBackend(Path(tmp))]
        for repeat in range(1, settings.repeats + 1):
            for backend in backends:
                got = measure(backend, events, expected, rates)
                values = " ".join(f"{key}={rate:,.0f}" for key, rate in got.items())
                print(f"  repeat {repeat}/{settings.repeats} {backend.name}: {values}", flush=True)
    print(f"load average after: {_load()} (other work on the machine makes the rates noisy; compare ratios)")
    print()
    print("\n".join(report(rates, [b.name for b in backends])))


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="N=2000, 1 repeat: a smoke run of a few seconds")
    args = parser.parse_args(argv)
    settings = Settings.from_env(quick=args.quick)
    try:
        run(settings)
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL is not reachable at {settings.pg_url}: {exc}", file=sys.stderr)
        return 2
    return 0  # a report: failed targets do not fail the run


if __name__ == "__main__":
    sys.exit(main())
