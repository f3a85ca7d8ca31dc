"""The real server (uvicorn, PostgreSQL) with two clients racing on the same stream."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain import campaign
from domain.shared.identity import Role
from services.api.client import request_for
from services.bootstrap import build
from services.demo import scenario
from services.infra.settings import Settings

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
SETUP = (
    campaign.OpenCampaign,
    campaign.RegisterUnits,
    campaign.AssignIndicators,
    campaign.IssueDeployment,
    campaign.OpenCollection,
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(pg_url: str, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    settings = Settings(
        data_dir=tmp_path, database_url=pg_url.replace("postgresql://", "postgresql+psycopg://")
    )
    container = build(settings)
    tokens = {}
    for name, role in (("drafter", Role.DRAFTER), ("section-chief", Role.SECTION_CHIEF)):
        tokens[name] = container.identity.issue_token(
            container.identity.add_user(name, role, "Kaohe-Test-2026!")
        ).token
    container.close()
    port = free_port()
    env = {
        **os.environ,
        "KAOHE_DATABASE_URL": pg_url,
        "KAOHE_DATA_DIR": str(tmp_path),
        "KAOHE_LOG_FORMAT": "json",
        "KAOHE_LOG_LEVEL": "WARNING",
        "KAOHE_WAKE_WORKERS": "0",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "services.asgi:create_app",
            "--factory",
            "--port",
            str(port),
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base)
        yield base, tokens
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def _wait_ready(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("the server did not become ready")


def _setup(base: str, tokens: dict[str, str]) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        for step in scenario.steps():
            if isinstance(step.command, SETUP):
                user = "section-chief" if step.command.actor == scenario.SECTION_CHIEF else "drafter"
                path, body = request_for(step.command, scenario.CAMPAIGN_ID)
                r = client.post(path, json=body, headers={"Authorization": f"Bearer {tokens[user]}"})
                assert r.status_code < 300, r.text


def test_two_clients_racing_on_one_stream_get_a_409_never_a_lost_write(
    server: tuple[str, dict[str, str]],
) -> None:
    base, tokens = server
    _setup(base, tokens)
    path = f"/campaigns/{scenario.CAMPAIGN_ID}/submissions"
    submit = next(s.command for s in scenario.steps() if isinstance(s.command, campaign.SubmitData))
    _, body = request_for(submit, scenario.CAMPAIGN_ID)
    body.pop("at")
    headers = {"Authorization": f"Bearer {tokens['drafter']}"}
    results: list[Any] = []
    barrier = threading.Barrier(2)

    def client(name: str) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
            for i in range(40):
                barrier.wait()
                r = http.post(path, json={**body, "submission_id": f"{name}-{i}"})
                results.append(r)

    threads = [threading.Thread(target=client, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    statuses = [r.status_code for r in results]
    assert set(statuses) <= {201, 409}, statuses
    conflicts = [r.json() for r in results if r.status_code == 409]
    assert conflicts, "two clients sending at the same moment must collide at least once in 40 tries"
    for problem in conflicts:
        assert problem["code"] == "concurrent_change" and problem["current_version"] >= 1
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        history = http.get(
            f"/campaigns/{scenario.CAMPAIGN_ID}/history", params={"type": "DataSubmitted"}
        ).json()
    assert len(history["items"]) == statuses.count(201), "every 201 was recorded, every 409 left nothing"
