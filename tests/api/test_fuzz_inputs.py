"""Our own fuzzing beside schemathesis: every query parameter of every read, the headers every write takes,
and every form of the pages get hostile values (edges of numbers and calendars, control characters, huge
strings). Nothing may answer 500, and nothing may be written by a refused request."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import Api
from tests.api.test_adapters_agree import record
from tests.api.test_pages_auth import sign_in

EDGES = [
    "", "0", "-1", "1e5", "NaN", "Infinity", "9223372036854775807", "9223372036854775808", "9" * 40,
    "0001-01-01", "9999-12-31T23:59:59-23:59", "2023-02-30", "2023-03-07T09:00:00",
    "2023-03-07T09:00:00+08:00", "\x00", "\u202e", "%", "../../etc/passwd", "汉滨区", "C01", "<script>",
    "'; DROP TABLE events; --",
]  # fmt: skip
HEADERS = ["If-Match", "Idempotency-Key", "X-Correlation-ID", "X-Request-ID"]
HOSTILE = st.one_of(st.sampled_from(EDGES), st.text(max_size=60), st.text(min_size=2000, max_size=3000))
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with record(Path(tmp_path_factory.mktemp("fuzz"))) as api:
        yield api


def reads(api: Api) -> list[tuple[str, list[str]]]:
    schema = api.client.get("/schema/openapi.json").json()
    found = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None or "{fmt}" in path:
            continue
        names = [p["name"] for p in get.get("parameters", []) if p.get("in") == "query"]
        concrete = re.sub(r"\{campaign_id\}", "zuofeng-2022", path)
        concrete = re.sub(r"\{document_id\}", "letter-1", concrete)
        concrete = re.sub(r"\{[^}]+\}", "x", concrete)
        if names:
            found.append((concrete, names))
    return found


def test_hostile_query_parameters_never_break_a_read(seeded: Api) -> None:
    targets = reads(seeded)
    assert len(targets) >= 8

    @FUZZ
    @given(value=HOSTILE, which=st.integers(min_value=0))
    def check(value: str, which: int) -> None:
        path, names = targets[which % len(targets)]
        name = names[which % len(names)]
        response = seeded.client.get(path, params={name: value}, headers=seeded.headers("auditor"))
        assert response.status_code < 500, (path, name, value[:80], response.text[:200])

    check()


def test_hostile_headers_never_break_a_write(seeded: Api) -> None:
    head = seeded.container.store.head().position

    @FUZZ
    @given(
        value=HOSTILE,
        header=st.sampled_from(["If-Match", "Idempotency-Key", "X-Correlation-ID", "X-Request-ID"]),
    )
    def check(value: str, header: str) -> None:
        raw = value.encode("utf-8")
        headers: list[tuple[bytes, bytes]] = [
            (k.encode(), v.encode()) for k, v in seeded.headers("deputy").items()
        ]
        headers.append((header.lower().encode(), raw))
        response = seeded.client.post("/documents/letter-1/tasks/check-1-1/approve", json={}, headers=headers)
        assert response.status_code < 500, (header, value[:80], response.text[:200])
        assert response.status_code >= 400  # the deputy does not hold 核稿: refused whatever the header says

    check()
    assert seeded.container.store.head().position == head


def test_hostile_page_forms_and_addresses_never_break_a_page(seeded: Api) -> None:
    token = sign_in(seeded.client, "section-chief")
    forms: list[tuple[str, list[str]]] = [
        ("/ui/documents/letter-1/tasks/check-1-1/return", ["reason", "to_step"]),
        ("/ui/documents/letter-1/tasks/check-1-1/transfer", ["to", "reason"]),
        ("/ui/documents/letter-1/tasks/check-1-1/delegate", ["to", "reason"]),
        ("/ui/documents/letter-1/tasks/check-1-1/number", ["register"]),
        ("/ui/documents/letter-1/withdraw", ["reason"]),
    ]
    pages = [
        "/ui/campaigns/zuofeng-2022/scores",
        "/ui/campaigns/zuofeng-2022/history",
        "/ui/documents/letter-1",
    ]

    @FUZZ
    @given(value=HOSTILE, which=st.integers(min_value=0))
    def check(value: str, which: int) -> None:
        path, fields = forms[which % len(forms)]
        data: dict[str, Any] = dict.fromkeys(fields, value)
        response = seeded.client.post(path, data={**data, "_csrf": token, "form_id": ""})
        assert response.status_code < 500, (path, value[:80])
        page = pages[which % len(pages)]
        for name in ("as_of", "when", "unit", "indicator", "group"):
            shown = seeded.client.get(page, params={name: value})
            assert shown.status_code < 500, (page, name, value[:80])

    check()
