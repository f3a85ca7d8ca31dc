"""Helpers the benchmarks share: settings from the environment, throw-away databases, timing, the report."""

from __future__ import annotations

import gc
import os
import statistics
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from time import perf_counter
from typing import TypeVar

import psycopg
from sqlalchemy.engine import make_url

T = TypeVar("T")
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


@dataclass(frozen=True)
class Settings:
    n: int
    streams: int
    repeats: int
    pg_url: str

    @classmethod
    def from_env(cls, *, quick: bool = False) -> Settings:
        """BENCH_N, BENCH_STREAMS, BENCH_REPEATS, BENCH_PG_URL; ``quick`` is a seconds-long smoke run."""
        return cls(
            n=2000 if quick else env_int("BENCH_N", 20_000),
            streams=env_int("BENCH_STREAMS", 200),
            repeats=1 if quick else max(1, env_int("BENCH_REPEATS", 3)),
            pg_url=os.environ.get("BENCH_PG_URL") or DEFAULT_PG_URL,
        )


# -- PostgreSQL -------------------------------------------------------------------------------------


def pg_url(admin_url: str, database: str) -> str:
    """The URL of another database on the same server, usable by psycopg and by SQLAlchemy alike."""
    url = make_url(admin_url).set(drivername="postgresql", database=database)
    return url.render_as_string(hide_password=False)


def pg_params(url: str) -> dict[str, str]:
    """Host, port, user, password and database name, for libraries configured by separate settings."""
    parsed = make_url(url)
    return {
        "host": parsed.host or "127.0.0.1",
        "port": str(parsed.port or 5432),
        "user": parsed.username or "postgres",
        "password": parsed.password or "",
        "dbname": parsed.database or "postgres",
    }


def pg_execute(url: str, sql: str) -> None:
    """One statement outside a transaction (CREATE/DROP DATABASE, CHECKPOINT)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def pg_server_version(url: str) -> str:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"


class PostgresDatabases:
    """Throw-away databases on the server behind ``admin_url``, all named after one random prefix."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.prefix = f"kaohe_bench_{uuid.uuid4().hex[:8]}"
        self.created: list[str] = []
        self._counter = 0

    def create(self, label: str) -> str:
        """A new empty database; returns its URL."""
        self._counter += 1
        name = f"{self.prefix}_{self._counter}_{label}"
        pg_execute(self.admin_url, f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return pg_url(self.admin_url, name)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        pg_execute(self.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if name in self.created:
            self.created.remove(name)

    def drop_all(self) -> None:
        for name in reversed(self.created):
            pg_execute(self.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()


@contextmanager
def postgres_databases(admin_url: str) -> Iterator[PostgresDatabases]:
    databases = PostgresDatabases(admin_url)
    try:
        yield databases
    finally:
        databases.drop_all()


def checkpoint(url: str) -> None:
    """Flush dirty buffers before a timed run, so it does not pay for the previous run's writes."""
    pg_execute(url, "CHECKPOINT")


# -- timing and the report --------------------------------------------------------------------------


def timed(run: Callable[[], T]) -> tuple[float, T]:
    """Wall-clock seconds of ``run()`` (after a full garbage collection) and what it returned."""
    gc.collect()
    start = perf_counter()
    result = run()
    return perf_counter() - start, result


class Rates:
    """Events per second of every named measurement, one value per repeat."""

    def __init__(self) -> None:
        self.values: dict[str, list[float]] = {}

    def add(self, name: str, events: int, seconds: float) -> float:
        rate = events / seconds
        self.values.setdefault(name, []).append(rate)
        return rate

    def median(self, name: str) -> float:
        return statistics.median(self.values[name])

    def spread(self, name: str) -> float:
        """(max - min) / median: how much the repeats disagree."""
        values = self.values[name]
        return (max(values) - min(values)) / statistics.median(values)

    def ratio(self, name: str, baseline: str) -> float:
        return self.median(name) / self.median(baseline)


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned text columns, right-aligned numbers."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(width) if _numeric(cell) else cell.ljust(width)
            for cell, width in zip(cells, widths, strict=True)
        ).rstrip()

    return "\n".join([line(header), line(["-" * width for width in widths]), *map(line, rows)])


def _numeric(cell: str) -> bool:
    return bool(cell) and (cell[0].isdigit() or (cell[0] == "-" and cell[1:2].isdigit()))


def target_line(name: str, ratio: float, goal: float) -> str:
    verdict = "PASS" if ratio >= goal else "FAIL"
    return f"TARGET {name} ratio={ratio:.3f} goal>={goal:g} {verdict}"
