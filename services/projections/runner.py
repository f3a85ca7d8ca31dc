"""Catch-up: apply the log after a checkpoint in batches, rows and checkpoint in one transaction."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine

from services.eventstore.store import EventStore
from services.infra.logs import get_logger
from services.projections import checkpoints
from services.projections.base import Projection, clear_generation
from services.projections.checkpoints import ACTIVE, BUILDING, RETIRED, write_transaction
from services.projections.registry import PROJECTIONS, VERSIONS, factory

log = get_logger("kaohe.projections")
BATCH = 500
REBUILD_BATCH = 5000


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """No cycle collection inside one batch: a batch makes many short-lived objects while large folded
    states stay alive, so the collector would rescan those states again and again for nothing. Reference
    counting still frees the batch's garbage; collection resumes as soon as the batch is written."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class Progress:
    name: str
    generation: int
    applied: int
    position: int
    switched_from: int | None = None


@dataclass(frozen=True)
class _Step:
    applied: int
    position: int
    done: bool
    switched_from: int | None = None


class Runner:
    """Keeps one projection object (and its in-memory fold caches) per name and generation.

    A cache is trusted only while the checkpoint is where this runner left it: if another worker moved
    it, the projection starts afresh from what the database says.
    """

    def __init__(
        self, engine: Engine, store: EventStore, batch: int = BATCH, rebuild_batch: int = REBUILD_BATCH
    ):
        self.engine = engine
        self.store = store
        self.batch = batch
        self.rebuild_batch = rebuild_batch
        self._instances: dict[tuple[str, int], tuple[int, Projection]] = {}
        self._lock = threading.Lock()

    def catch_up(self, name: str) -> list[Progress]:
        """Bring the active generation (and a generation being rebuilt) up to the head of the log."""
        factory(name)
        checkpoints.ensure(self.engine, name, VERSIONS[name])
        with self.engine.connect() as conn:
            running = [c for c in checkpoints.of(conn, name) if c.state in (ACTIVE, BUILDING)]
        done = [self.run_generation(name, c.generation, c.state == BUILDING) for c in running]
        self.clear_retired(name)
        return done

    def run_generation(self, name: str, generation: int, building: bool) -> Progress:
        size = self.rebuild_batch if building else self.batch
        applied, switched = 0, None
        while True:
            step = self._step(name, generation, size)
            applied += step.applied
            switched = switched or step.switched_from
            if step.done:
                if applied:
                    log.info(
                        "projection_caught_up",
                        projection=name,
                        generation=generation,
                        applied=applied,
                        position=step.position,
                    )
                return Progress(name, generation, applied, step.position, switched)

    def _step(self, name: str, generation: int, size: int) -> _Step:
        key = (name, generation)
        try:
            with no_cyclic_gc(), write_transaction(self.engine) as conn:
                checkpoint = checkpoints.lock(conn, name, generation)
                if checkpoint is None or checkpoint.state == RETIRED:
                    return _Step(0, checkpoint.position if checkpoint else 0, done=True)
                projection = self._projection(key, checkpoint.position)
                events = self.store.read_all(after=checkpoint.position, limit=size)
                position = events[-1].position if events else checkpoint.position
                if events:
                    projection.apply(conn, generation, events)
                    checkpoints.advance(conn, name, generation, position, len(events))
                done = len(events) < size
                switched = None
                if done and checkpoint.state == BUILDING:
                    switched = checkpoints.switch(conn, name, generation)
                    log.info("projection_switched", projection=name, generation=generation, retired=switched)
        except BaseException:
            self._forget(key)
            raise
        with self._lock:
            self._instances[key] = (position, projection)
        return _Step(len(events), position, done, switched)

    def _projection(self, key: tuple[str, int], position: int) -> Projection:
        with self._lock:
            known = self._instances.get(key)
        if known is not None and known[0] == position:
            return known[1]
        return PROJECTIONS[key[0]](self.store)

    def _forget(self, key: tuple[str, int]) -> None:
        with self._lock:
            self._instances.pop(key, None)

    def clear_retired(self, name: str) -> None:
        """Delete the rows of generations that no longer serve reads, then their checkpoints."""
        tables = PROJECTIONS[name](self.store).tables
        with self.engine.connect() as conn:
            retired = [c.generation for c in checkpoints.of(conn, name) if c.state == RETIRED]
        for generation in retired:
            with write_transaction(self.engine) as conn:
                clear_generation(conn, tables, generation)
                checkpoints.forget(conn, name, generation)
            self._forget((name, generation))
            log.info("projection_generation_cleared", projection=name, generation=generation)

    def rebuild(self, name: str) -> int:
        """Start (or continue) building a new generation from position 0 beside the active one."""
        factory(name)
        checkpoints.ensure(self.engine, name, VERSIONS[name])
        return checkpoints.start_rebuild(self.engine, name, VERSIONS[name])

    def sweep(self) -> list[str]:
        """Every projection's housekeeping: create, rebuild when its code version changed, clear retired."""
        for name, version in VERSIONS.items():
            checkpoints.ensure(self.engine, name, version)
            with self.engine.connect() as conn:
                current = checkpoints.of(conn, name)
            outdated = any(c.state == ACTIVE and c.version != version for c in current)
            if outdated and not any(c.state == BUILDING for c in current):
                generation = checkpoints.start_rebuild(self.engine, name, version)
                log.info(
                    "projection_rebuild_started", projection=name, generation=generation, version=version
                )
            self.clear_retired(name)
        return list(VERSIONS)
