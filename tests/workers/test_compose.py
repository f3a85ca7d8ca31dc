"""compose.yaml without Docker: each service's command and healthcheck run on local PostgreSQL and Redis."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
import yaml
from sqlalchemy import select
from sqlalchemy.engine import make_url

from services.bootstrap import build
from services.infra.db import make_engine
from services.infra.settings import Settings, normalise_database_url
from services.projections.tables import task_counts_table
from tests.conftest import machine_lock, missing_service
from tests.workers.procs import base_env, eventually, free_port, start, stop
from tests.workers.seed import run_campaign

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]
COMPOSE = Path(__file__).resolve().parents[2] / "compose.yaml"
REDIS_DB = 13


@pytest.fixture
def redis_url() -> Iterator[str]:
    url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    with machine_lock(f"redis-db-{REDIS_DB}"):
        try:
            client.flushdb()
        except redis.RedisError as exc:
            missing_service(f"Redis is not reachable at 127.0.0.1:6379: {exc.__class__.__name__}")
        yield url
        client.flushdb()


class Compose:
    """compose.yaml's services, their commands rewritten for this machine."""

    def __init__(self, tmp: Path, owner_url: str, app_url: str, broker_url: str) -> None:
        self.spec: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
        self.tmp = tmp
        self.port = free_port()
        kaohe = self.spec["x-kaohe"]["environment"]
        self.overrides = {
            "KAOHE_DATABASE_URL": app_url,
            "KAOHE_MIGRATE_DATABASE_URL": owner_url,
            "KAOHE_BROKER_URL": broker_url,
            "KAOHE_SWEEP_SECONDS": "1",
            "KAOHE_CHECKPOINT_SECONDS": "1",
            "KAOHE_DATA_DIR": str(tmp),
        }
        self.env = base_env(tmp, **{**{k: str(v) for k, v in kaohe.items()}, **self._local_env(kaohe)})

    def _local_env(self, environment: dict[str, Any]) -> dict[str, str]:
        """A service's own variables, those that name compose's hosts replaced by this machine's."""
        return {k: self.overrides.get(k, str(v)) for k, v in environment.items()}

    def env_for(self, service: str) -> dict[str, str]:
        return {**self.env, **self._local_env(self.spec["services"][service].get("environment", {}))}

    def argv(self, words: list[str]) -> list[str]:
        head = {
            "kaohe": [sys.executable, "-m", "services.cli.main"],
            "celery": [sys.executable, "-m", "celery"],
        }
        return [
            *head.get(words[0], [sys.executable] if words[0] == "python" else [words[0]]),
            *map(self._local, words[1:]),
        ]

    def _local(self, word: str) -> str:
        return word.replace("8000", str(self.port)).replace("/data", str(self.tmp))

    def command(self, service: str) -> list[str]:
        return self.argv(list(self.spec["services"][service]["command"]))

    def healthy(self, service: str) -> bool:
        test = list(self.spec["services"][service]["healthcheck"]["test"])
        argv = ["sh", "-c", self._local(test[1])] if test[0] == "CMD-SHELL" else self.argv(test[1:])
        return (
            subprocess.run(argv, env=self.env, capture_output=True, timeout=30, check=False).returncode == 0
        )


def test_compose_services_come_up_in_order(
    tmp_path: Path, pg_url: str, redis_url: str, app_role: str
) -> None:
    app_url = make_url(pg_url).set(username=app_role, password="app").render_as_string(hide_password=False)
    compose = Compose(tmp_path, pg_url, app_url, redis_url)
    services = compose.spec["services"]
    assert {"postgres", "redis", "migrate", "api", "worker", "renderer", "beat"} <= set(services)
    for name in ("api", "worker", "renderer", "beat"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert "healthcheck" in services[name]
        assert "KAOHE_MIGRATE_DATABASE_URL" not in services[name]["environment"], "only migrate is the owner"
    assert all("healthcheck" in services[s] for s in ("postgres", "redis"))
    assert make_url(services["migrate"]["environment"]["KAOHE_MIGRATE_DATABASE_URL"]).username == "kaohe"
    assert make_url(services["api"]["environment"]["KAOHE_DATABASE_URL"]).username == "kaohe_app"
    migrate = subprocess.run(
        compose.command("migrate"),
        env=compose.env_for("migrate"),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr
    granted = migrate.stdout.decode()
    assert f"role {app_role}: " in granted and "; events SELECT, INSERT;" in granted
    _record_a_campaign(app_url, tmp_path)  # as the application's role
    running = {
        name: start(compose.command(name), compose.env_for(name), tmp_path / f"{name}.log")
        for name in ("api", "worker", "renderer", "beat")
    }
    try:
        base = f"http://127.0.0.1:{compose.port}"
        ready = eventually(lambda: httpx.get(f"{base}/ready", timeout=3).json(), 30, "api /ready")
        assert ready["broker"] == "ok"
        eventually(lambda: compose.healthy("api"), 10, "the api healthcheck")
        eventually(lambda: compose.healthy("worker"), 40, "the worker to answer celery inspect ping")
        eventually(lambda: _sweeps(pg_url) > 0, 30, "beat to schedule the sweep and the worker to run it")
        eventually(lambda: list((tmp_path / "checkpoints").glob("*.json")), 30, "a signed checkpoint")
        assert compose.healthy("beat")
    finally:
        for child in running.values():
            stop(child)
    logs = {name: (tmp_path / f"{name}.log").read_text() for name in running}
    assert "Scheduler: Sending due task sweep" in logs["beat"]
    assert "Scheduler: Sending due task checkpoint" in logs["beat"]
    assert "kaohe-reports" in logs["renderer"] and "kaohe-reports" not in logs["worker"], "queues split"


def _record_a_campaign(app_url: str, tmp: Path) -> None:
    container = build(Settings(data_dir=tmp, database_url=normalise_database_url(app_url)))
    try:
        run_campaign(container.store)
    finally:
        container.close()


def _sweeps(database_url: str) -> int:
    engine = make_engine(database_url)
    t = task_counts_table.c
    try:
        with engine.connect() as conn:
            stmt = select(t.count).where(t.task == "kaohe.projections.sweep", t.outcome == "succeeded")
            return int(conn.execute(stmt).scalar() or 0)
    finally:
        engine.dispose()
