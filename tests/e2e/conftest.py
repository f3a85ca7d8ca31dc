"""A real server (uvicorn and a Celery worker, SQLite in a temp folder) seeded to appeals closed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.api.client import request_for
from services.bootstrap import build
from services.infra.migrate import migrate
from services.infra.settings import Settings
from tests.api.conftest import USERS, add_users
from tests.api.test_seed_through_api import ACTORS, CAMPAIGN_STEPS
from tests.conftest import missing_service

CHROMIUM = os.environ.get("KAOHE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=zh-CN",
]
PASSWORD = "Kaohe-Test-2026!"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pages"


@dataclass
class Server:
    url: str
    tokens: dict[str, str]
    data_dir: Path

    def api(self, user: str, method: str, path: str, body: Any = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        return httpx.request(method, self.url + path, json=body, headers=headers, timeout=30)

    def head(self) -> int:
        return int(httpx.get(self.url + "/ready", timeout=10).json()["log_position"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {log.read_text()[-3000:]}")
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not start: {log.read_text()[-3000:]}")


def _seed(server: Server) -> None:
    for command in CAMPAIGN_STEPS:
        path, body = request_for(command, "zuofeng-2022")
        response = server.api(ACTORS[command.actor], "POST", path, body)
        assert response.status_code in (200, 201), (type(command).__name__, response.text)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("kaohe-e2e")
    env = {
        **os.environ,
        "KAOHE_DATA_DIR": str(data_dir),
        "KAOHE_LOG_LEVEL": "WARNING",
        "KAOHE_LOG_FORMAT": "json",
    }
    env.pop("KAOHE_DATABASE_URL", None)
    env.pop("KAOHE_BROKER_URL", None)
    settings = Settings.from_env(env)
    container = build(settings)
    migrate(container.engine)
    tokens = add_users(container, USERS, PASSWORD)
    container.close()
    port = _free_port()
    log = data_dir / "server.log"
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "services.asgi:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    worker_argv = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "workers.celery_app",
        "worker",
        "--queues",
        "kaohe,kaohe-reports",  # projections and renders (kaohe worker's default: --queues all)
        "--pool",
        "threads",
        "--concurrency",
        "2",
        "--without-gossip",
        "--without-mingle",
        "--loglevel",
        "WARNING",
    ]
    with log.open("wb") as out:
        api = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
        worker = subprocess.Popen(worker_argv, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url, api, log)
        running = Server(url, tokens, data_dir)
        _seed(running)
        yield running
    finally:
        for process in (api, worker):
            process.terminate()
        for process in (api, worker):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        missing_service(f"Chromium is not installed at {CHROMIUM} (scripts/system-deps.sh installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_service("playwright is not installed (pip install -e '.[dev]')")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
