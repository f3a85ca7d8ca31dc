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
from services.infra.settings import Settings
from services.seed import scenario

pytestmark = [pytest.mark.slow]
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
def server(database_url: str, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    pg_url = database_url  # (named for the PostgreSQL default: tests parametrize it to SQLite too)
    settings = Settings(data_dir=tmp_path, database_url=pg_url)
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


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
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


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_two_clients_racing_with_the_same_if_match_get_one_201_and_one_412_every_round(
    server: tuple[str, dict[str, str]],
) -> None:
    """One conflict rule on both databases: the loser of an If-Match race is 412, never 409."""
    base, tokens = server
    _setup(base, tokens)
    campaign_path = f"/campaigns/{scenario.CAMPAIGN_ID}"
    submit = next(s.command for s in scenario.steps() if isinstance(s.command, campaign.SubmitData))
    _, body = request_for(submit, scenario.CAMPAIGN_ID)
    body.pop("at")
    headers = {"Authorization": f"Bearer {tokens['drafter']}"}
    rounds: list[list[int]] = []
    barrier = threading.Barrier(2)
    etag: dict[str, str] = {}

    def client(name: str, http: httpx.Client) -> None:
        for i in range(ROUNDS):
            if name == "a":
                etag["now"] = http.get(campaign_path).headers["etag"]
            barrier.wait()  # both hold the same ETag
            sent = http.post(
                f"{campaign_path}/submissions",
                json={**body, "submission_id": f"{name}-{i}"},
                headers={"If-Match": etag["now"]},
            )
            statuses[name].append(sent.status_code)
            barrier.wait()  # the round is over before the next ETag is read

    statuses: dict[str, list[int]] = {"a": [], "b": []}
    with (
        httpx.Client(base_url=base, headers=headers, timeout=30) as a,
        httpx.Client(base_url=base, headers=headers, timeout=30) as b,
    ):
        threads = [threading.Thread(target=client, args=args) for args in (("a", a), ("b", b))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    rounds = [sorted(pair) for pair in zip(statuses["a"], statuses["b"], strict=True)]
    assert len(rounds) == ROUNDS and all(pair == [201, 412] for pair in rounds), rounds


ROUNDS = 30
