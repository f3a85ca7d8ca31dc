"""A migrated store per test (SQLite and PostgreSQL) with the seed campaign and one letter in approval."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from services.bootstrap import Container, build
from services.infra.settings import Settings
from services.projections import checkpoints
from services.projections.registry import PROJECTIONS
from services.seed import scenario
from tests.workers.seed import draft_letter, run_campaign

LETTER_AT = scenario.at(3, 2, 14)


@pytest.fixture
def container(database_url: str, tmp_path: Path) -> Iterator[Container]:
    settings = Settings(data_dir=tmp_path, database_url=database_url, log_format="json", log_level="WARNING")
    built = build(settings)
    yield built
    built.close()


@pytest.fixture
def seeded(container: Container) -> Container:
    use_cases = run_campaign(container.store)
    draft_letter(use_cases, "L1", LETTER_AT)
    return container


def rows_of(engine: Engine, name: str, generation: int | None = None) -> list[tuple[Any, ...]]:
    """A projection's rows of one generation (the active one by default), without the generation column."""
    if generation is None:
        with engine.connect() as conn:
            active = checkpoints.active(conn, name)
        assert active is not None, f"{name} has no active generation"
        generation = active.generation
    result = []
    for table in PROJECTIONS[name].tables:
        columns = [c for c in table.columns if c.name != "generation"]
        keys = [c for c in table.primary_key.columns if c.name != "generation"]
        stmt = select(*columns).where(table.c.generation == generation).order_by(*keys)
        with engine.connect() as conn:
            result += [tuple(_plain(v) for v in row) for row in conn.execute(stmt)]
    return result


def _plain(value: Any) -> Any:
    # SQLite hands back naive datetimes; compare instants only.
    return value.replace(tzinfo=None) if hasattr(value, "tzinfo") and value.tzinfo else value
