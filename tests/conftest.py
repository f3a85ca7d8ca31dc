"""Shared fixtures: throw-away SQLite files and PostgreSQL databases, both migrated by `kaohe migrate`."""

from __future__ import annotations

import fcntl
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from services.infra.db import make_engine
from services.infra.migrate import migrate

PG_ADMIN_URL = os.environ.get("KAOHE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def services_required() -> bool:
    """In CI a missing PostgreSQL or Redis is a failure, never a skip."""
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("KAOHE_REQUIRE_SERVICES") == "1"


def missing_service(message: str) -> None:
    if services_required():
        pytest.fail(f"{message} (required in CI)", pytrace=False)
    pytest.skip(message)


@contextmanager
def machine_lock(name: str) -> Iterator[None]:
    """Hold a machine-wide lock on a fixed shared resource (a Redis DB number, a fixed port).

    Two test runs on one machine (a CI clone and a working copy) then take turns on it instead of flushing
    each other's queues.
    """
    path = Path(tempfile.gettempdir()) / f"kaohe-test-{name}.lock"
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _admin_engine() -> Engine:
    url = make_url(PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    return create_engine(url, isolation_level="AUTOCOMMIT", pool_size=1)


class PostgresDatabases:
    """Creates migrated databases from one template, so each test gets a fresh log in ~100 ms."""

    def __init__(self) -> None:
        self.admin = _admin_engine()
        self.prefix = f"kaohe_t{uuid.uuid4().hex[:8]}"
        self.template = f"{self.prefix}_template"
        self.created: list[str] = []
        self._execute(f'CREATE DATABASE "{self.template}"')
        self.created.append(self.template)
        engine = make_engine(self.url(self.template))
        migrate(engine)
        engine.dispose()

    def url(self, name: str) -> str:
        return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    def new(self) -> str:
        name = f"{self.prefix}_{len(self.created)}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.created.append(name)
        return self.url(name)

    def drop_all(self) -> None:
        for name in reversed(self.created):
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.dispose()

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(sql))


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[PostgresDatabases]:
    try:
        with _admin_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        missing_service(f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}")
    databases = PostgresDatabases()
    yield databases
    databases.drop_all()


@pytest.fixture
def pg_url(pg_databases: PostgresDatabases) -> str:
    """A fresh, migrated PostgreSQL database for this test."""
    return pg_databases.new()


@pytest.fixture
def sqlite_url(tmp_path: pytest.TempPathFactory) -> str:
    """A fresh, migrated SQLite file for this test."""
    url = f"sqlite:///{tmp_path}/kaohe.sqlite3"  # type: ignore[operator]
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each test that takes this runs against both backends: the store's contract suite."""
    if request.param == "postgres":
        request.applymarker(pytest.mark.postgres)
        return str(request.getfixturevalue("pg_url"))
    return str(request.getfixturevalue("sqlite_url"))


@pytest.fixture
def app_role(pg_url: str, pg_databases: PostgresDatabases) -> Iterator[str]:
    """A throw-away role (roles are cluster-wide: a unique name, dropped afterwards)."""
    role = f"kaohe_app_{uuid.uuid4().hex[:8]}"
    yield role
    database = create_engine(
        make_url(pg_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT", pool_size=1
    )
    with database.connect() as conn:  # its grants in this database and on the database itself
        if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first():
            conn.execute(text(f'DROP OWNED BY "{role}"'))
    database.dispose()
    with pg_databases.admin.connect() as conn:
        conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
