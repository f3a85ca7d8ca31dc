"""Projection rebuild against a raw read + decode + fold of the same events, in the same run (PostgreSQL).

    .venv/bin/python bench/projections.py [--quick]

A large campaign (200,000 events; 20,000 with --quick) is appended in batches into a fresh database. Then:
- raw: psycopg reads `data::text` by position, json.loads, domain.shared.events.from_data, campaign.evolve;
- rebuild: `Runner.rebuild("scores")` and its catch-up, timed by phase (read from the store, decode + fold,
  computing and writing rows with the checkpoint, in the runner's rebuild batches per transaction).
Targets: decode+fold inside the rebuild >= 0.6x raw; end-to-end rebuild with its writes >= 0.25x raw.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.campaign_events import write_campaign
from domain import campaign
from domain.shared.events import from_data
from services.bootstrap import build
from services.infra.migrate import migrate
from services.infra.settings import Settings
from services.projections import base as projection_base
from services.projections.runner import Runner

ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PAGE = 2000


class Phases:
    """Seconds spent in each wrapped function while the rebuild runs."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start

        return timed


@contextmanager
def fresh_database() -> Iterator[str]:
    name = f"kaohe_bench_proj_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def raw_fold(url: str) -> tuple[int, campaign.CampaignState]:
    """The anchor: page through the table by position, decode the JSON and fold with the domain."""
    state, count, after = campaign.INITIAL_STATE, 0, 0
    with psycopg.connect(url) as conn:
        while True:
            rows = conn.execute(
                "SELECT position, type, data::text FROM events WHERE position > %s ORDER BY position LIMIT %s",  # noqa: E501
                (after, PAGE),
            ).fetchall()
            for _, type_name, data in rows:
                state = campaign.evolve(state, from_data(type_name, json.loads(data)))
            count += len(rows)
            if len(rows) < PAGE:
                return count, state
            after = rows[-1][0]


def rebuild(runner: Runner, phases: Phases) -> int:
    store = runner.store
    original_read, original_advance = store.read_all, projection_base.StreamStates.advance
    store.read_all = phases.wrap("read", original_read)  # type: ignore[method-assign]
    projection_base.StreamStates.advance = phases.wrap("decode+fold", original_advance)  # type: ignore[method-assign]
    try:
        generation = runner.rebuild("scores")
        return runner.run_generation("scores", generation, building=True).applied
    finally:
        store.read_all = original_read  # type: ignore[method-assign]
        projection_base.StreamStates.advance = original_advance  # type: ignore[method-assign]


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 events: a smoke run of a few seconds")
    args = parser.parse_args()
    total = 20_000 if args.quick else 200_000
    with fresh_database() as url:
        container = build(
            Settings(data_dir=Path("/tmp"), database_url=url, log_format="json", log_level="WARNING")
        )
        migrate(container.engine)
        write_seconds, head = timed(lambda: write_campaign(container.store, "bench", total))
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE events")
            conn.execute("CHECKPOINT")
        raw_fold(url)  # warm the buffer cache
        raw_seconds, (count, _) = timed(lambda: raw_fold(url))
        phases = Phases()
        runner = Runner(container.engine, container.store)
        rebuild_seconds, applied = timed(lambda: rebuild(runner, phases))
        container.close()
    assert count == applied == head, (count, applied, head)
    print_report(head, write_seconds, raw_seconds, rebuild_seconds, phases)
    return 0


def print_report(events: int, write_s: float, raw_s: float, rebuild_s: float, phases: Phases) -> None:
    read, fold = phases.seconds.get("read", 0.0), phases.seconds.get("decode+fold", 0.0)
    rows = [
        ("append (batches of 2,000)", write_s),
        ("raw read + decode + fold (anchor)", raw_s),
        ("rebuild: read from the store", read),
        ("rebuild: decode + fold", fold),
        ("rebuild: read + decode + fold", read + fold),
        ("rebuild: rows + checkpoint writes", rebuild_s - read - fold),
        ("rebuild end to end", rebuild_s),
    ]
    print(f"projection rebuild benchmark: {events:,} events of one campaign (100 units x 10 indicators)")
    print(f"{'measurement':<36}{'seconds':>10}{'events/s':>12}")
    for name, seconds in rows:
        print(f"{name:<36}{seconds:>10.2f}{events / seconds if seconds else 0:>12,.0f}")
    raw_rate = events / raw_s
    for name, seconds, goal in (
        ("rebuild_decode_fold", read + fold, 0.6),
        ("rebuild_end_to_end", rebuild_s, 0.25),
    ):
        ratio = (events / seconds) / raw_rate
        print(f"TARGET {name} ratio={ratio:.3f} goal>={goal:g} {'PASS' if ratio >= goal else 'FAIL'}")


if __name__ == "__main__":
    sys.exit(main())
