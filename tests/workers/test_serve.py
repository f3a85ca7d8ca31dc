"""`kaohe serve`: API, worker and beat from one command on embedded defaults; Ctrl-C leaves nothing behind."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx
import pytest

from services.api.client import request_for
from services.infra.broker import broker_path
from services.infra.settings import Settings
from services.seed import scenario
from tests.workers.procs import (
    KAOHE,
    alive,
    base_env,
    descendants,
    eventually,
    free_port,
    kaohe,
    ready,
    start,
    token_for,
)

pytestmark = pytest.mark.slow


def test_serve_runs_everything_catches_up_and_stops_cleanly(tmp_path: Path) -> None:
    env = base_env(tmp_path, KAOHE_SWEEP_SECONDS="2")
    kaohe(["migrate"], env)
    token = token_for(env, "drafter", "drafter")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = start([*KAOHE, "serve", "--port", str(port)], env, tmp_path / "serve.log")
    try:
        eventually(lambda: ready(base), 30, "/ready")
        children = eventually(
            lambda: descendants(serve.pid) if len(descendants(serve.pid)) >= 3 else None, 10, "3"
        )
        path, body = request_for(scenario.steps()[0].command, scenario.CAMPAIGN_ID)
        headers = {"Authorization": f"Bearer {token}"}
        sent = {**headers, "X-Request-ID": "req-serve-1"}
        accepted = httpx.post(f"{base}{path}", json=body, headers=sent, timeout=10).json()

        def caught_up() -> bool:
            got = httpx.get(f"{base}/campaigns/{scenario.CAMPAIGN_ID}/timeline", headers=headers, timeout=5)
            return (
                got.json()["source"] == "projection"
                and got.json()["projection_position"] >= accepted["position"]
            )

        eventually(caught_up, 20, "the timeline projection to catch up")
    finally:
        serve.send_signal(signal.SIGINT)
        code = serve.wait(timeout=30)
    assert code == 0, (tmp_path / "serve.log").read_text()[-3000:]
    assert not [pid for pid in children if alive(pid)], "a child of kaohe serve outlived it"
    broker = broker_path(Settings(data_dir=tmp_path, database_url="sqlite://"))
    assert broker.parent == tmp_path and broker.is_file(), "the embedded broker lives in the data folder"
    worker_lines = [line for line in (tmp_path / "serve.log").read_text().splitlines() if '"task_id"' in line]
    assert any('"request_id": "req-serve-1"' in line for line in worker_lines), (
        "request_id reached the worker"
    )
