"""`kaohe serve` restarts a child that dies (with backoff), gives up on a crash loop, and says so.

The first tests drive the Supervisor with tiny stand-in children; the last kills the real worker under
`kaohe serve` while requests keep coming.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, create_engine

from services.api.client import request_for
from services.infra.broker import check_broker
from services.infra.metrics import Metrics
from services.infra.settings import Settings
from services.infra.supervise import STATE_ENV, RestartPolicy, Supervisor, restart_counts, worker_trouble
from services.seed import scenario
from tests.workers.procs import (
    KAOHE,
    alive,
    base_env,
    descendants,
    eventually,
    free_port,
    kaohe,
    start,
    token_for,
)

PY = sys.executable
DIES = [PY, "-c", "import sys; sys.exit(3)"]
SLEEPS = [PY, "-c", "import time; time.sleep(60)"]


def run_for(supervisor: Supervisor, seconds: float) -> int:
    """Run in this (the main) thread, as `kaohe serve` does; a timer asks it to stop."""
    timer = threading.Timer(seconds, lambda: setattr(supervisor, "stopping", True))
    timer.start()
    try:
        return supervisor.run()
    finally:
        timer.cancel()


def test_a_child_that_dies_is_restarted_with_doubling_backoff_and_the_others_keep_running(
    tmp_path: Path,
) -> None:
    policy = RestartPolicy(first_delay=0.2, max_delay=0.8, give_up_restarts=100, give_up_window=60)
    supervisor = Supervisor(
        {"worker": DIES, "api": SLEEPS}, env=os.environ, state_file=tmp_path / "state.json", policy=policy
    )
    seen: list[dict[str, Any]] = []

    def watch() -> None:
        while not supervisor.stopping:
            with contextlib.suppress(OSError, ValueError):
                seen.append(json.loads((tmp_path / "state.json").read_text()))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    code = run_for(supervisor, 3.0)
    watcher.join(timeout=2)
    assert code == 0, supervisor.reason
    worker, api = supervisor.children["worker"], supervisor.children["api"]
    # 0.2 + 0.4 + 0.8 + 0.8 … = at most 4 or 5 restarts in 3 s; without backoff it would be dozens.
    assert 3 <= worker.restarts <= 5, worker.restarts
    assert worker.last_exit == 3
    assert api.restarts == 0, "a healthy child is left alone"
    assert {s["children"]["api"]["pid"] for s in seen} == {seen[0]["children"]["api"]["pid"]}
    counts = [s["children"]["worker"]["restarts"] for s in seen]
    assert counts == sorted(counts) and counts[-1] >= 3, "the state file follows the restarts"
    assert not (tmp_path / "state.json").exists(), "a stopped supervisor leaves no state behind"
    assert all(c.process is None for c in supervisor.children.values()), "every child stopped"


def test_a_child_that_keeps_dying_stops_everything_with_a_reason(tmp_path: Path) -> None:
    policy = RestartPolicy(first_delay=0.05, max_delay=0.1, give_up_restarts=3, give_up_window=30)
    supervisor = Supervisor({"worker": DIES, "api": SLEEPS}, env=os.environ, policy=policy)
    started = time.monotonic()
    code = run_for(supervisor, 20.0)
    assert code == 1
    assert time.monotonic() - started < 10, "gave up instead of waiting for the stop"
    assert supervisor.reason is not None
    assert "worker" in supervisor.reason and "3 restarts within 30 s" in supervisor.reason
    assert supervisor.children["worker"].restarts == 3
    assert supervisor.children["api"].process is None, "the healthy child was stopped too"


def write_state(path: Path, pid: int, worker: dict[str, object]) -> None:
    children = {"api": {"pid": 1, "running": True, "restarts": 0}, "worker": worker}
    path.write_text(json.dumps({"pid": pid, "children": children}))


def test_metrics_and_ready_read_the_supervisors_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "serve-state.json"
    down = {"pid": None, "running": False, "restarts": 2, "last_exit": -9, "restart_at": time.time() + 4}
    write_state(state, os.getpid(), down)
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'kaohe.sqlite3'}")
    assert check_broker(settings)[0], "outside `kaohe serve` nobody says the worker is down"
    monkeypatch.setenv(STATE_ENV, str(state))

    assert restart_counts() == {"api": 0, "worker": 2}
    trouble = worker_trouble()
    assert trouble is not None and "SIGKILL" in trouble and "restart in" in trouble
    ok, detail = check_broker(settings)
    assert not ok and "no worker" in detail, "/ready answers 503 while the worker is down"
    text = Metrics(_engine(tmp_path)).render().decode()
    assert 'kaohe_serve_child_restarts_total{child="worker"} 2.0' in text

    write_state(state, os.getpid(), {"pid": 42, "running": True, "restarts": 2})
    assert worker_trouble() is None and check_broker(settings)[0]
    gone = _a_pid_that_is_gone()
    write_state(state, gone, down)
    assert worker_trouble() is None and restart_counts() == {}, "a dead supervisor's file tells nothing"
    assert "kaohe_serve_child_restarts" not in Metrics(_engine(tmp_path)).render().decode()


def _engine(tmp_path: Path) -> Engine:
    return create_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")


def _a_pid_that_is_gone() -> int:
    child = subprocess.Popen([PY, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.mark.slow
def test_serve_restarts_a_killed_worker_while_the_api_keeps_answering(tmp_path: Path) -> None:
    env = base_env(tmp_path, KAOHE_SWEEP_SECONDS="2")
    kaohe(["migrate"], env)
    token = token_for(env, "drafter", "drafter")
    headers = {"Authorization": f"Bearer {token}"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    state_file = tmp_path / "serve-state.json"
    log = tmp_path / "serve.log"
    serve = start([*KAOHE, "serve", "--port", str(port)], env, log)
    statuses: list[tuple[str, int]] = []
    stop_polling = threading.Event()

    def poll(*paths: str) -> None:  # the API during and after the worker's death
        with httpx.Client(base_url=base, headers=headers, timeout=5) as client:
            while not stop_polling.is_set():
                for path in paths:
                    try:
                        statuses.append((path, client.get(path).status_code))
                    except httpx.HTTPError:
                        statuses.append((path, -1))
                time.sleep(0.05)

    def worker_pid() -> int | None:
        worker = json.loads(state_file.read_text())["children"]["worker"]
        return int(worker["pid"]) if worker["running"] else None

    def command(step: int) -> int:
        path, body = request_for(scenario.steps()[step].command, scenario.CAMPAIGN_ID)
        accepted = httpx.post(f"{base}{path}", json=body, headers=headers, timeout=10)
        assert accepted.status_code < 300, accepted.text
        return int(accepted.json()["position"])

    def caught_up(position: int) -> bool:
        got = httpx.get(f"{base}/campaigns/{scenario.CAMPAIGN_ID}/timeline", headers=headers, timeout=5)
        return got.json()["source"] == "projection" and got.json()["projection_position"] >= position

    pollers = [
        threading.Thread(target=poll, args=("/health", f"/campaigns/{scenario.CAMPAIGN_ID}/timeline")),
        threading.Thread(target=poll, args=("/ready",)),
    ]
    try:
        eventually(lambda: httpx.get(f"{base}/ready", timeout=2).status_code == 200, 30, "/ready")
        first = command(0)
        eventually(lambda: caught_up(first), 20, "the first command's projection")
        old = eventually(worker_pid, 5, "the worker's pid")
        for poller in pollers:
            poller.start()
        time.sleep(0.5)
        os.kill(old, signal.SIGKILL)
        new = eventually(lambda: (p := worker_pid()) and p != old and p, 20, "a new worker")
        second = command(1)
        eventually(lambda: caught_up(second), 20, "the projection after the restart")
        metrics = httpx.get(f"{base}/metrics", timeout=5).text
        assert 'kaohe_serve_child_restarts_total{child="worker"} 1.0' in metrics
        assert 'kaohe_serve_child_restarts_total{child="api"} 0.0' in metrics
        time.sleep(0.5)
    finally:
        stop_polling.set()
        for poller in pollers:
            if poller.is_alive():
                poller.join(timeout=10)
        children = descendants(serve.pid)
        serve.send_signal(signal.SIGINT)
        code = serve.wait(timeout=30)
    text = log.read_text()
    assert code == 0, text[-3000:]
    assert not [pid for pid in children if alive(pid)], "a child of kaohe serve outlived it"
    assert not alive(old) and new != old
    others = [(p, s) for p, s in statuses if not p.startswith("/ready")]
    assert others and all(200 <= s < 300 for _, s in others), [x for x in others if not 200 <= x[1] < 300]
    ready = [s for p, s in statuses if p == "/ready"]
    assert 503 in ready, "/ready said so while the worker was down"
    assert ready[-1] == 200, "and ready again once it was back"
    exited = [json.loads(line) for line in text.splitlines() if '"process_exited"' in line]
    assert [(e["child"], e["code"], e["restarts"]) for e in exited] == [("worker", -9, 0)]
    assert any('"process_started"' in line and '"restarts": 1' in line for line in text.splitlines())


SUPERVISE_SLEEPERS = """
import sys
from pathlib import Path
from services.infra.supervise import Supervisor
sleeper = [sys.executable, "-c", "import time; time.sleep(120)"]
Supervisor({"a": sleeper, "b": sleeper}, env={}, state_file=Path(sys.argv[1])).run()
"""


def test_children_do_not_outlive_a_supervisor_that_is_killed(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    supervisor = subprocess.Popen([PY, "-c", SUPERVISE_SLEEPERS, str(state)], cwd=Path(__file__).parents[2])
    try:

        def pids() -> list[int] | None:
            children = json.loads(state.read_text())["children"] if state.exists() else {}
            found = [int(c["pid"]) for c in children.values() if c.get("pid")]
            return found if len(found) == 2 else None

        children = eventually(pids, 20, "both children")
        assert all(alive(pid) for pid in children)
        supervisor.kill()  # SIGKILL: no handler runs, nobody is stopped by the supervisor
        supervisor.wait(10)
        eventually(lambda: not any(alive(pid) for pid in children), 10, "the children to end with it")
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
