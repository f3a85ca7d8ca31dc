"""Read-your-writes through the API: a projection answers only once it has the write; else the log does."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from litestar.testing import TestClient

from domain.shared.identity import Role
from services.asgi import create_app
from services.bootstrap import Container
from services.projections.registry import PROJECTIONS
from services.projections.runner import Runner
from services.seed import scenario

USERS = {"drafter": Role.DRAFTER, "section-chief": Role.SECTION_CHIEF, "auditor": Role.AUDITOR}
DOC = "L1"


class Waker:
    def __init__(self) -> None:
        self.wakes: list[str | None] = []

    def wake(self, request_id: str | None = None) -> None:
        self.wakes.append(request_id)

    def close(self) -> None:
        return None


class Client:
    def __init__(self, client: TestClient[Any], tokens: dict[str, str]) -> None:
        self.client = client
        self.tokens = tokens

    def get(self, user: str, path: str, **params: Any) -> Any:
        response = self.client.get(
            path, params=params, headers={"Authorization": f"Bearer {self.tokens[user]}"}
        )
        assert response.status_code == 200, response.text
        return response

    def post(self, user: str, path: str, body: dict[str, Any]) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[user]}", "X-Request-ID": "req-test-1"}
        response = self.client.post(path, json=body, headers=headers)
        assert response.status_code in (200, 201), response.text
        return response.json()


@pytest.fixture
def waker() -> Waker:
    return Waker()


@pytest.fixture
def api(seeded: Container, waker: Waker) -> Iterator[Client]:
    tokens = {}
    for name, role in USERS.items():
        user = seeded.identity.add_user(name, role, "Kaohe-Test-2026!", None)
        tokens[name] = seeded.identity.issue_token(user).token
    app = create_app(seeded.settings, seeded, waker=waker)
    with TestClient(app) as client:
        yield Client(client, tokens)


def catch_up(container: Container) -> None:
    runner = Runner(container.engine, container.store)
    for name in PROJECTIONS:
        runner.catch_up(name)


def test_with_no_worker_the_log_answers_and_says_so(api: Client) -> None:
    response = api.get("section-chief", "/inbox")
    body = response.json()
    assert [t["step"] for t in body["tasks"]] == ["check"]
    assert (body["source"], body["projection_position"]) == ("log", -1)
    assert response.headers["X-Read-Source"] == "log"
    assert int(response.headers["X-Projection-Lag"]) == body["lag"] > 0


def test_a_caught_up_projection_answers_the_same(api: Client, seeded: Container) -> None:
    from_log = api.get("section-chief", "/inbox").json()
    catch_up(seeded)
    from_projection = api.get("section-chief", "/inbox").json()
    assert from_projection["source"] == "projection"
    assert from_projection["lag"] == 0
    assert from_projection["tasks"] == from_log["tasks"]
    assert api.get("drafter", "/inbox").json()["tasks"] == []


def test_a_write_wakes_the_workers_after_commit_and_wait_for_reads_it(
    api: Client, seeded: Container, waker: Waker
) -> None:
    catch_up(seeded)
    task = api.get("section-chief", "/inbox").json()["tasks"][0]["task_id"]
    accepted = api.post(
        "section-chief",
        f"/documents/{DOC}/tasks/{task}/approve",
        {"opinion": "同意", "at": "2023-03-03T15:00:00+08:00"},
    )
    assert waker.wakes == ["req-test-1"]
    worker = threading.Timer(0.3, catch_up, args=(seeded,))
    worker.start()
    started = time.monotonic()
    inbox = api.get("section-chief", "/inbox", wait_for=accepted["position"]).json()
    worker.join()
    assert inbox["source"] == "projection" and inbox["projection_position"] >= accepted["position"]
    assert inbox["tasks"] == [], "the approved task left the inbox"
    assert time.monotonic() - started < 3


def test_a_projection_that_stays_behind_gives_way_to_the_log(api: Client, seeded: Container) -> None:
    catch_up(seeded)
    task = api.get("section-chief", "/inbox").json()["tasks"][0]["task_id"]
    body = {"opinion": "同意", "at": "2023-03-03T15:00:00+08:00"}
    accepted = api.post("section-chief", f"/documents/{DOC}/tasks/{task}/approve", body)
    inbox = api.get("section-chief", "/inbox", wait_for=accepted["position"]).json()
    assert (inbox["source"], inbox["tasks"]) == ("log", [])
    assert inbox["lag"] > 0


def test_timelines_read_the_same_from_the_log_and_the_projection(api: Client, seeded: Container) -> None:
    c = f"/campaigns/{scenario.CAMPAIGN_ID}/timeline"
    from_log = [api.get("auditor", c).json(), api.get("auditor", c, unit="C01").json()]
    document = api.get("auditor", f"/documents/{DOC}/timeline").json()
    catch_up(seeded)
    from_projection = [api.get("auditor", c).json(), api.get("auditor", c, unit="C01").json()]
    assert [r["source"] for r in from_log + from_projection] == ["log", "log", "projection", "projection"]
    assert [r["lines"] for r in from_log] == [r["lines"] for r in from_projection]
    lines = from_projection[0]["lines"]
    assert lines[0]["action"] == "登记通知 安作风办字〔2023〕1号"
    assert {line["document_id"] for line in lines} == {None, DOC}
    assert all(line["unit"] == "C01" for line in from_projection[1]["lines"])
    assert document["lines"] == api.get("auditor", f"/documents/{DOC}/timeline").json()["lines"]
    assert [line["action"] for line in document["lines"]][:2] == [
        "拟稿《关于报送考核结果的函（L1）》",
        "待办：拟稿",
    ]


def test_overview_and_metrics(api: Client, seeded: Container) -> None:
    from_log = api.get("auditor", "/overview").json()
    catch_up(seeded)
    from_projection = api.get("auditor", "/overview").json()
    assert from_log["campaigns"] == from_projection["campaigns"]
    (campaign,) = from_projection["campaigns"]
    assert campaign["counts"]["units"] == 54 and campaign["stage"] == "approving"
    assert api.client.get("/metrics").status_code == 401  # not from loopback, and no token
    seeded.settings = replace(seeded.settings, metrics_token="m" * 32)
    metrics = api.client.get("/metrics", headers={"Authorization": "Bearer " + "m" * 32}).text
    assert 'kaohe_projection_lag_events{projection="inbox"} 0.0' in metrics
    assert "kaohe_log_events_total" in metrics and "kaohe_database_up 1.0" in metrics
