"""Tampering behind the application's back is caught by `kaohe verify`; migrations do not race."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from services.eventstore.model import NewEvent
from services.eventstore.registry import EventTypeRegistry
from services.eventstore.store import EventStore
from services.infra.db import make_engine
from services.infra.migrate import head_revision
from tests.conftest import PostgresDatabases

KAOHE = [sys.executable, "-m", "services.cli.main"]


def kaohe(args: list[str], database_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KAOHE_DATABASE_URL": database_url, "KAOHE_DATA_DIR": str(tmp_path / "data")}
    return subprocess.run([*KAOHE, *args], env=env, capture_output=True, text=True, timeout=120, check=False)


def fill(database_url: str, n: int = 12) -> None:
    reg = EventTypeRegistry()
    reg.register("ScoreDetermined")
    store = EventStore(make_engine(database_url), reg)
    for i in range(n):
        store.append(f"unit-{i % 3}", [NewEvent("ScoreDetermined", {"score": str(90 + i)})], None)
    store.engine.dispose()


def tamper(database_url: str, sql: str, postgres: bool) -> None:
    engine = make_engine(database_url)
    with engine.begin() as conn:
        if postgres:
            conn.execute(text("ALTER TABLE events DISABLE TRIGGER events_immutable"))
            conn.execute(text(sql))
            conn.execute(text("ALTER TABLE events ENABLE TRIGGER events_immutable"))
        else:
            conn.execute(text("DROP TRIGGER events_no_update"))
            conn.execute(text("DROP TRIGGER events_no_delete"))
            conn.execute(text(sql))
    engine.dispose()


def copy_database(url: str, tmp_path: Path, pg: PostgresDatabases | None) -> str:
    if pg is None:
        source = Path(url.removeprefix("sqlite:///"))
        target = tmp_path / "copy.sqlite3"
        shutil.copy(source, target)
        return f"sqlite:///{target}"
    name = f"{pg.prefix}_copy{len(pg.created)}"
    pg._execute(f'CREATE DATABASE "{name}" TEMPLATE "{url.rsplit("/", 1)[1]}"')
    pg.created.append(name)
    return pg.url(name)


@pytest.fixture
def pg_or_none(request: pytest.FixtureRequest, database_url: str) -> PostgresDatabases | None:
    if database_url.startswith("sqlite"):
        return None
    return request.getfixturevalue("pg_databases")  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("sql", "bad_position", "reason"),
    [
        ('UPDATE events SET data = CAST(\'{"score": "100"}\' AS {json}) WHERE position = 7', 7, "hash"),
        ("UPDATE events SET stream_id = 'unit-9' WHERE position = 4", 4, "hash"),
        ("DELETE FROM events WHERE position = 5", 5, "missing"),
        ("DELETE FROM events WHERE position = 12", 12, "head"),
    ],
)
def test_verify_names_the_first_altered_position(
    database_url: str,
    pg_or_none: PostgresDatabases | None,
    tmp_path: Path,
    sql: str,
    bad_position: int,
    reason: str,
) -> None:
    fill(database_url)
    assert kaohe(["verify"], database_url, tmp_path).returncode == 0
    copy = copy_database(database_url, tmp_path, pg_or_none)
    tamper(copy, sql.replace("{json}", "JSONB" if pg_or_none else "TEXT"), pg_or_none is not None)

    result = kaohe(["verify"], copy, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"FAILED at position {bad_position}" in result.stdout
    assert reason in result.stdout
    ok = kaohe(["verify"], database_url, tmp_path)
    assert ok.returncode == 0 and "checked 12 events" in ok.stdout, "the original is untouched"


def test_verify_on_an_unreachable_database_is_one_clear_line(tmp_path: Path) -> None:
    result = kaohe(["verify"], "postgresql://nobody@127.0.0.1:1/none", tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("kaohe: cannot read the event log")
    assert "Traceback" not in result.stderr


def test_bad_database_url_is_a_clear_error(tmp_path: Path) -> None:
    result = kaohe(["status"], "mysql://x/y", tmp_path)
    assert (
        result.returncode == 1 and "KAOHE_DATABASE_URL" in result.stderr and "Traceback" not in result.stderr
    )


@pytest.mark.postgres
def test_parallel_migrations_on_postgres_do_not_race(pg_databases: PostgresDatabases, tmp_path: Path) -> None:
    name = f"{pg_databases.prefix}_race"
    pg_databases._execute(f'CREATE DATABASE "{name}"')
    pg_databases.created.append(name)
    _race(pg_databases.url(name), tmp_path)


def test_parallel_migrations_on_sqlite_do_not_race(tmp_path: Path) -> None:
    _race(f"sqlite:///{tmp_path}/race.sqlite3", tmp_path)


def _race(url: str, tmp_path: Path) -> None:
    env = {**os.environ, "KAOHE_DATABASE_URL": url, "KAOHE_DATA_DIR": str(tmp_path / "data")}
    procs = [
        subprocess.Popen(
            [*KAOHE, "migrate"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(6)
    ]
    outcomes = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, outcomes
    assert sum("was empty" in out for out, _ in outcomes) == 1, "exactly one process created the schema"
    status = kaohe(["status"], url, tmp_path)
    latest = head_revision()
    assert f"schema revision: {latest} (latest {latest})" in status.stdout
