"""Faults with real processes, PostgreSQL and Redis: a worker killed mid-rebuild, Redis down, a task twice."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from bench.campaign_events import write_campaign
from services.api.client import request_for, route_for
from services.bootstrap import Container, build
from services.infra.broker import CATCH_UP
from services.infra.dispatch import producer
from services.infra.settings import Settings
from services.projections import checkpoints
from services.projections.registry import PROJECTIONS
from services.projections.runner import Runner
from services.seed import scenario
from tests.conftest import machine_lock, missing_service
from tests.workers.conftest import rows_of
from tests.workers.procs import KAOHE, base_env, eventually, free_port, kaohe, start, stop, token_for
from tests.workers.seed import REPORTING, draft_letter, run_campaign

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]
PRIVATE_REDIS_PORT = 6391
SHARED_REDIS_DB = 12


@pytest.fixture
def shared_redis() -> Iterator[str]:
    url = f"redis://127.0.0.1:6379/{SHARED_REDIS_DB}"
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    with machine_lock(f"redis-db-{SHARED_REDIS_DB}"):
        try:
            client.flushdb()
        except redis.RedisError as exc:
            missing_service(f"Redis is not reachable at 127.0.0.1:6379: {exc.__class__.__name__}")
        yield url
        client.flushdb()


@pytest.fixture
def db(pg_url: str, tmp_path: Path) -> Iterator[Container]:
    container = build(
        Settings(data_dir=tmp_path, database_url=pg_url, log_format="json", log_level="WARNING")
    )
    yield container
    container.close()


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    worker = start([*KAOHE, "worker", "--pool", "threads", "--concurrency", "2"], env, log)
    eventually(lambda: "ready." in log.read_text(), 30, "the worker to be ready")
    return worker


def at_head(container: Container, *names: str) -> bool:
    head = container.store.head().position
    found = {c.name: c for c in checkpoints.everything(container.engine) if c.state == checkpoints.ACTIVE}
    return all(n in found and found[n].position == head for n in names)


def assert_exactly_once_and_equal_to_a_clean_rebuild(container: Container) -> None:
    """Every projection applied each event once (applied == position == head), rows as a fresh rebuild's."""
    head = container.store.head().position
    table = checkpoints.checkpoints_table
    with container.engine.connect() as conn:
        counts = conn.execute(table.select().where(table.c.state == checkpoints.ACTIVE)).mappings().all()
    assert {(c["name"], c["position"], c["applied"]) for c in counts} == {
        (n, head, head) for n in PROJECTIONS
    }
    served = {name: rows_of(container.engine, name) for name in PROJECTIONS}
    runner = Runner(container.engine, container.store)
    for name in PROJECTIONS:
        runner.run_generation(name, runner.rebuild(name), building=True)
        assert rows_of(container.engine, name) == served[name], f"{name} differs from a clean rebuild"


def test_a_worker_killed_mid_rebuild_resumes_and_ends_as_a_clean_rebuild(
    db: Container, tmp_path: Path, shared_redis: str
) -> None:
    draft_letter(run_campaign(db.store), "L1", scenario.at(3, 2, 14))
    write_campaign(db.store, "big", 6_000, units=40, indicators=6)
    runner = Runner(db.engine, db.store)
    for name in PROJECTIONS:
        runner.catch_up(name)
    env = base_env(
        tmp_path, KAOHE_DATABASE_URL=str(db.engine.url.render_as_string(hide_password=False)),
        KAOHE_BROKER_URL=shared_redis, KAOHE_REBUILD_BATCH="100", KAOHE_SWEEP_SECONDS="1",
    )  # fmt: skip
    log = tmp_path / "worker.log"
    worker = start_worker(env, log)
    kaohe(["projections", "rebuild", "scores"], env)

    def building() -> checkpoints.Checkpoint | None:
        found = [c for c in checkpoints.everything(db.engine) if c.name == "scores" and c.state == "building"]
        return found[0] if found and found[0].position > 0 else None

    eventually(building, 30, "the rebuild to commit a first batch", every=0.02)
    stop(worker, signal.SIGKILL)
    killed_at = building()
    assert killed_at is not None and killed_at.position < db.store.head().position, "killed in the middle"
    worker = start_worker(env, log)
    beat = start([*KAOHE, "beat"], env, tmp_path / "beat.log")
    try:
        eventually(
            lambda: building() is None and at_head(db, "scores"), 90, "the rebuild to finish after restart"
        )
    finally:
        stop(beat)
        stop(worker)
    scores = [c for c in checkpoints.everything(db.engine) if c.name == "scores"]
    assert [(c.generation, c.state) for c in scores] == [(killed_at.generation, checkpoints.ACTIVE)]
    assert_exactly_once_and_equal_to_a_clean_rebuild(db)


class PrivateRedis:
    """A redis-server of our own on another port, so stopping it disturbs nobody else."""

    def __init__(self, binary: str, tmp: Path) -> None:
        self.argv = [binary, "--port", str(PRIVATE_REDIS_PORT), "--bind", "127.0.0.1", "--save", ""]
        self.argv += ["--appendonly", "no", "--dir", str(tmp)]
        self.log = tmp / "redis.log"
        self.server: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.server = start(self.argv, {}, self.log)
        client = redis.Redis(port=PRIVATE_REDIS_PORT, socket_connect_timeout=1)
        eventually(client.ping, 10, "the private redis-server")

    def stop(self) -> None:
        if self.server is not None:
            stop(self.server)
            self.server = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    binary = shutil.which("redis-server")
    if binary is None:
        missing_service("redis-server is not installed")
    with machine_lock(f"redis-port-{PRIVATE_REDIS_PORT}"):
        server = PrivateRedis(binary, tmp_path)
        server.start()
        yield server
        server.stop()


def test_commands_succeed_while_redis_is_down_and_nothing_is_lost_or_doubled(
    db: Container, tmp_path: Path, private_redis: PrivateRedis
) -> None:
    url = db.engine.url.render_as_string(hide_password=False)
    env = base_env(
        tmp_path, KAOHE_DATABASE_URL=url, KAOHE_BROKER_URL=f"redis://127.0.0.1:{PRIVATE_REDIS_PORT}/0"
    )
    tokens = {
        "drafter": token_for(env, "drafter", "drafter"),
        "section-chief": token_for(env, "section-chief", "section_chief"),
        "bianban-liaison": token_for(env, "bianban-liaison", "co_lead_unit", "市委编办"),
    }
    port = free_port()
    api = start([*KAOHE, "api", "--port", str(port)], env, tmp_path / "api.log")
    worker = start_worker(env, tmp_path / "worker.log")
    steps = [s.command for s in scenario.steps() if has_route(s.command)]
    base = f"http://127.0.0.1:{port}"
    try:
        eventually(lambda: httpx.get(f"{base}/ready", timeout=3).status_code == 200, 30, "the api")
        post_steps(base, tokens, steps[:8])
        eventually(lambda: at_head(db, *PROJECTIONS), 30, "projections to follow while Redis is up")
        private_redis.stop()
        assert httpx.get(f"{base}/ready", timeout=10).status_code == 503, "ready says the broker is gone"
        slowest = post_steps(base, tokens, steps[8:])
        assert slowest < 3.0, "a command must not wait for the broker"
        assert not at_head(db, "timeline")
        private_redis.start()
        eventually(lambda: at_head(db, *PROJECTIONS), 90, "projections to catch up once Redis is back")
    finally:
        for child in (api, worker):
            stop(child)
    assert "wake_up_not_sent" in (tmp_path / "api.log").read_text()
    assert_exactly_once_and_equal_to_a_clean_rebuild(db)


def has_route(command: object) -> bool:
    try:
        route_for(command)
    except LookupError:
        return False
    return not isinstance(command, REPORTING)


def post_steps(base: str, tokens: dict[str, str], commands: list[object]) -> float:
    slowest = 0.0
    for command in commands:
        path, body = request_for(command, scenario.CAMPAIGN_ID)
        headers = {"Authorization": f"Bearer {tokens[command.actor]}"}  # type: ignore[attr-defined]
        started = time.monotonic()
        response = httpx.post(f"{base}{path}", json=body, headers=headers, timeout=30)
        slowest = max(slowest, time.monotonic() - started)
        assert response.status_code in (200, 201), response.text
    return slowest


def test_the_same_task_delivered_twice_has_no_double_effect(
    db: Container, tmp_path: Path, shared_redis: str
) -> None:
    draft_letter(run_campaign(db.store), "L1", scenario.at(3, 2, 14))
    url = db.engine.url.render_as_string(hide_password=False)
    env = base_env(tmp_path, KAOHE_DATABASE_URL=url, KAOHE_BROKER_URL=shared_redis)
    worker = start_worker(env, tmp_path / "worker.log")
    app = producer(Settings.from_env(env))
    try:
        for _ in range(2):
            for name in PROJECTIONS:
                app.send_task(CATCH_UP, kwargs={"name": name}, task_id=f"duplicate-{name}")
        log = tmp_path / "worker.log"
        eventually(
            lambda: log.read_text().count("succeeded in") == 2 * len(PROJECTIONS), 30, "both deliveries"
        )
    finally:
        stop(worker)
    assert log.read_text().count("[duplicate-scores] succeeded") == 2
    assert_exactly_once_and_equal_to_a_clean_rebuild(db)
