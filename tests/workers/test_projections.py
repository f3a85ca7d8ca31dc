"""Projections in-process on SQLite and PostgreSQL: rows equal the domain's answers, replays do nothing."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from domain.campaign.queries import scores_table
from services.app.commands import CommandRunner
from services.app.usecases import CAMPAIGN
from services.bootstrap import Container, build
from services.projections import checkpoints
from services.projections.registry import PROJECTIONS
from services.projections.runner import Runner
from services.projections.tables import inbox_table, score_cells_table, timeline_table
from services.seed import scenario
from tests.workers.conftest import rows_of


def catch_up_all(runner: Runner) -> None:
    for name in PROJECTIONS:
        runner.catch_up(name)


def test_score_cells_equal_the_domain_scores_table(seeded: Container) -> None:
    catch_up_all(Runner(seeded.engine, seeded.store))
    state, _ = CommandRunner(seeded.store).load(CAMPAIGN, CAMPAIGN.stream_id(scenario.CAMPAIGN_ID))
    expected = {(r.unit.code, r.indicator.code): (str(r.score), r.display) for r in scores_table(state)}
    columns = [c.name for c in score_cells_table.columns if c.name != "generation"]
    score, display = columns.index("score"), columns.index("display")
    found = {(row[1], row[2]): (row[score], row[display]) for row in rows_of(seeded.engine, "scores")}
    assert found == expected
    assert len(found) == 54 * 2


def test_every_event_is_applied_once_and_a_second_run_applies_nothing(seeded: Container) -> None:
    runner = Runner(seeded.engine, seeded.store, batch=100)
    catch_up_all(runner)
    before = {name: rows_of(seeded.engine, name) for name in PROJECTIONS}
    again = [p.applied for name in PROJECTIONS for p in runner.catch_up(name)]
    fresh_process = [
        p.applied for name in PROJECTIONS for p in Runner(seeded.engine, seeded.store).catch_up(name)
    ]
    assert again == fresh_process == [0, 0, 0, 0]
    assert {name: rows_of(seeded.engine, name) for name in PROJECTIONS} == before
    head = seeded.store.head().position
    for c in checkpoints.everything(seeded.engine):
        assert (c.position, _applied(seeded, c.name)) == (head, head)
    with seeded.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(timeline_table)).scalar() == head
        tasks = conn.execute(select(inbox_table.c.step, inbox_table.c.role)).all()
    assert [tuple(t) for t in tasks] == [("check", "section_chief")]


def _applied(container: Container, name: str) -> int:
    table = checkpoints.checkpoints_table
    with container.engine.connect() as conn:
        stmt = select(table.c.applied).where(table.c.name == name, table.c.state == checkpoints.ACTIVE)
        return int(conn.execute(stmt).scalar_one())


def test_two_workers_catching_up_at_once_never_apply_an_event_twice(seeded: Container) -> None:
    second = build(seeded.settings)
    runners = [Runner(seeded.engine, seeded.store, batch=100), Runner(second.engine, second.store, batch=100)]
    errors: list[BaseException] = []

    def run(runner: Runner) -> None:
        try:
            catch_up_all(runner)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(r,)) for r in runners]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    second.close()
    assert not errors
    head = seeded.store.head().position
    assert all(_applied(seeded, name) == head for name in PROJECTIONS)


def test_a_rebuild_is_built_beside_the_active_generation_then_replaces_it(seeded: Container) -> None:
    runner = Runner(seeded.engine, seeded.store, batch=100, rebuild_batch=100)
    catch_up_all(runner)
    old = {name: rows_of(seeded.engine, name) for name in PROJECTIONS}
    for name in PROJECTIONS:
        generation = runner.rebuild(name)
        assert generation == 2
        assert rows_of(seeded.engine, name) == old[name], "the old generation keeps serving meanwhile"
        runner.run_generation(name, generation, building=True)
        runner.clear_retired(name)
        assert rows_of(seeded.engine, name) == old[name]
    states = {(c.name, c.generation, c.state) for c in checkpoints.everything(seeded.engine)}
    assert states == {(name, 2, checkpoints.ACTIVE) for name in PROJECTIONS}
    for name in PROJECTIONS:
        for table in PROJECTIONS[name].tables:
            with seeded.engine.connect() as conn:
                leftover = conn.execute(select(func.count()).where(table.c.generation == 1)).scalar()
            assert leftover == 0, f"{table.name} still holds generation 1"


def test_a_new_code_version_is_rebuilt_by_the_sweep(seeded: Container, monkeypatch: object) -> None:
    runner = Runner(seeded.engine, seeded.store)
    catch_up_all(runner)
    table = checkpoints.checkpoints_table
    with checkpoints.write_transaction(seeded.engine) as conn:
        conn.execute(table.update().where(table.c.name == "inbox").values(version=0))
    runner.sweep()
    runner.catch_up("inbox")
    inbox = [c for c in checkpoints.everything(seeded.engine) if c.name == "inbox"]
    assert [(c.generation, c.version, c.state) for c in inbox] == [(2, 1, checkpoints.ACTIVE)]
