"""Malformed requests get a 4xx with a reason, never a 500, and leave the log as it was (issue 12's cases)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from services.asgi import create_app
from services.bootstrap import build
from services.infra.dispatch import NoWaker
from services.infra.settings import Settings
from tests.api.conftest import Api
from tests.api.test_adapters_agree import record
from tests.api.test_pages_auth import sign_in

C = "/campaigns/zuofeng-2022"
API_CASES = [
    ("GET", f"{C}/scores?as_of=99999999999999999999999999", None, {}),
    ("GET", f"{C}/scores?as_of=9999-12-31T23:59:59-01:00", None, {}),
    ("GET", f"{C}/scores?as_of=0001-01-01T00:00:00%2B08:00", None, {}),
    ("GET", f"{C}?as_of=-5", None, {}),
    ("GET", "/documents/letter-1?as_of=1e5", None, {}),
    ("GET", f"{C}/history?since=2023-01-01T00:00:00", None, {}),
    ("GET", f"{C}/history?until=2023-01-01T00:00:00", None, {}),
    ("GET", "/events?after=9223372036854775807", None, {}),
    ("GET", "/events?after=9223372036854775808", None, {}),
    ("POST", f"{C}/scores", "[" * 100_000 + "]" * 100_000, {}),
    ("POST", f"{C}/scores", '{"a":' * 50_000 + "1" + "}" * 50_000, {}),
    ("POST", "/documents/letter-1/submit", "{}", {"If-Match": "\u00e9"}),
    ("POST", "/documents/letter-1/submit", "{}", {"If-Match": '"99999999999999999999999999999"'}),
    ("POST", "/documents/letter-1/submit", "{}", {"Idempotency-Key": "x" * 500}),
]
PAGE_CASES = [
    f"/ui{C}/scores?as_of=99999999999999999999999",
    f"/ui{C}/scores?when=9999-12-31T23:59",
    f"/ui{C}/scores?when=0001-01-01",
    f"/ui{C}/history?as_of=99999999999999999999",
    "/ui/documents/letter-1?when=0001-01-01T00:00",
    "/ui/documents/letter-1?as_of=-1",
]


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Api]:
    with record(tmp_path) as api:
        yield api


def test_malformed_api_requests_are_4xx_and_write_nothing(seeded: Api) -> None:
    head = seeded.container.store.head().position
    for method, path, body, extra in API_CASES:
        headers = [(k.encode(), v.encode()) for k, v in seeded.headers("drafter").items()]
        headers += [(k.encode(), v.encode("utf-8")) for k, v in extra.items()]
        headers.append((b"content-type", b"application/json"))
        response = seeded.client.request(
            method, path, content=body.encode() if body else None, headers=headers
        )
        assert 400 <= response.status_code < 500 or response.status_code == 200, (path, response.text[:200])
        if response.status_code >= 400:
            assert response.headers["content-type"].startswith("application/problem+json"), path
            assert json.loads(response.text)["detail"], path
    assert seeded.container.store.head().position == head


def test_malformed_page_requests_never_fail(seeded: Api) -> None:
    sign_in(seeded.client, "director")
    for path in PAGE_CASES:
        response = seeded.client.get(path)
        assert response.status_code < 500, (path, response.status_code)
    token = sign_in(seeded.client, "section-chief")
    form = {"_csrf": token, "form_id": "bad-date", "opinion": "同意", "signing_date": "2023-13-45"}
    response = seeded.client.post("/ui/documents/letter-1/tasks/check-1-1/approve", data=form)
    assert 400 <= response.status_code < 500 and "signing_date" in response.text


def test_a_database_outage_is_503_with_retry_after(tmp_path: Path) -> None:
    """PostgreSQL does not answer (nothing listens on its port): every request says so and when to retry."""
    url = "postgresql+psycopg://postgres@127.0.0.1:1/kaohe"
    settings = Settings(data_dir=tmp_path, database_url=url, log_level="ERROR", log_format="json")
    with TestClient(create_app(settings, build(settings), waker=NoWaker())) as client:
        bearer = {"Authorization": "Bearer kh_any"}
        for method, path in (("GET", f"{C}/scores"), ("POST", "/campaigns"), ("GET", "/inbox")):
            response = client.request(method, path, headers=bearer, json={} if method == "POST" else None)
            assert response.status_code == 503, (path, response.text[:200])
            assert response.headers["retry-after"] == "5"
            assert response.json()["code"] == "unavailable"
        assert client.get("/ready").status_code == 503
