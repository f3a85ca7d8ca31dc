"""Checkpoints: one row per projection generation, locked while a batch is applied."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from services.projections.tables import checkpoints_table

ACTIVE = "active"
BUILDING = "building"
RETIRED = "retired"
C = checkpoints_table.c


@dataclass(frozen=True)
class Checkpoint:
    name: str
    generation: int
    version: int
    position: int
    state: str


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that takes the write lock up front on SQLite (BEGIN IMMEDIATE)."""
    with engine.connect() as conn:
        conn.execution_options(sqlite_write=True)
        with conn.begin():
            yield conn


def _now() -> datetime:
    return datetime.now(UTC)


def _row(row: Any) -> Checkpoint:
    return Checkpoint(str(row[0]), int(row[1]), int(row[2]), int(row[3]), str(row[4]))


COLUMNS = (C.name, C.generation, C.version, C.position, C.state)


def ensure(engine: Engine, name: str, version: int) -> None:
    """A projection seen for the first time starts as generation 1, active, at position 0."""
    with engine.connect() as conn:
        if conn.execute(select(C.name).where(C.name == name).limit(1)).first() is not None:
            return
    try:
        with write_transaction(engine) as conn:
            if conn.execute(select(C.name).where(C.name == name).limit(1)).first() is None:
                conn.execute(insert(checkpoints_table).values(_new(name, 1, version, ACTIVE)))
    except IntegrityError:
        pass  # another process made it first


def _new(name: str, generation: int, version: int, state: str) -> dict[str, object]:
    now = _now()
    return {
        "name": name,
        "generation": generation,
        "version": version,
        "position": 0,
        "applied": 0,
        "state": state,
        "created_at": now,
        "updated_at": now,
    }


def lock(conn: Connection, name: str, generation: int) -> Checkpoint | None:
    """SELECT … FOR UPDATE on PostgreSQL; on SQLite the transaction already holds the write lock."""
    stmt = select(*COLUMNS).where(C.name == name, C.generation == generation).with_for_update()
    row = conn.execute(stmt).one_or_none()
    return _row(row) if row is not None else None


def advance(conn: Connection, name: str, generation: int, position: int, applied: int) -> None:
    conn.execute(
        update(checkpoints_table)
        .where(C.name == name, C.generation == generation)
        .values(position=position, applied=C.applied + applied, updated_at=_now())
    )


def of(conn: Connection, name: str) -> list[Checkpoint]:
    stmt = select(*COLUMNS).where(C.name == name).order_by(C.generation)
    return [_row(r) for r in conn.execute(stmt)]


def everything(engine: Engine) -> list[Checkpoint]:
    with engine.connect() as conn:
        return [_row(r) for r in conn.execute(select(*COLUMNS).order_by(C.name, C.generation))]


def active(conn: Connection, name: str) -> Checkpoint | None:
    row = conn.execute(select(*COLUMNS).where(C.name == name, C.state == ACTIVE)).one_or_none()
    return _row(row) if row is not None else None


def start_rebuild(engine: Engine, name: str, version: int) -> int:
    """A new generation built from position 0 beside the active one; an unfinished rebuild is reused."""
    with write_transaction(engine) as conn:
        current = of(conn, name)
        building = [c for c in current if c.state == BUILDING]
        if building:
            return building[0].generation
        generation = max((c.generation for c in current), default=0) + 1
        conn.execute(insert(checkpoints_table).values(_new(name, generation, version, BUILDING)))
        return generation


def switch(conn: Connection, name: str, generation: int) -> int | None:
    """The built generation serves reads from now on; the old one is retired (its rows cleared later)."""
    old = conn.execute(
        select(C.generation).where(C.name == name, C.state == ACTIVE).with_for_update()
    ).scalar()
    if old is not None:
        _set_state(conn, name, old, RETIRED)
    _set_state(conn, name, generation, ACTIVE)
    return int(old) if old is not None else None


def _set_state(conn: Connection, name: str, generation: int, state: str) -> None:
    conn.execute(
        update(checkpoints_table)
        .where(C.name == name, C.generation == generation)
        .values(state=state, updated_at=_now())
    )


def forget(conn: Connection, name: str, generation: int) -> None:
    conn.execute(delete(checkpoints_table).where(C.name == name, C.generation == generation))
