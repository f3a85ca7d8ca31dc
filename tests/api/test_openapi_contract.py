"""The public API changes only on purpose: the schema is checked in (docs/openapi.json) and compared.

After a deliberate change, review the difference and refresh the snapshot:
    KAOHE_UPDATE_OPENAPI=1 .venv/bin/python -m pytest tests/api/test_openapi_contract.py
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import Api

SNAPSHOT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
METHODS = ("get", "post", "put", "patch", "delete")


def schema(api: Api) -> dict[str, Any]:
    response = api.client.get("/schema/openapi.json")
    assert response.status_code == 200
    found: dict[str, Any] = response.json()
    return found


def canonical(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_schema_matches_the_checked_in_snapshot(api: Api) -> None:
    current = canonical(schema(api))
    if os.environ.get("KAOHE_UPDATE_OPENAPI") == "1":
        SNAPSHOT.write_text(current, encoding="utf-8")
    assert SNAPSHOT.exists(), "no docs/openapi.json: run with KAOHE_UPDATE_OPENAPI=1 once"
    recorded = SNAPSHOT.read_text(encoding="utf-8")
    if current != recorded:
        now = Path(os.environ.get("TMPDIR", "/tmp")) / "kaohe-openapi-now.json"
        now.write_text(current, encoding="utf-8")  # to diff against the snapshot
        old = {(p, m) for p, ops in json.loads(recorded)["paths"].items() for m in ops}
        new = {(p, m) for p, ops in json.loads(current)["paths"].items() for m in ops}
        pytest.fail(
            f"the API's schema differs from docs/openapi.json (now: {now}); review the change, then refresh "
            "the snapshot "
            f"(KAOHE_UPDATE_OPENAPI=1). Operations added: {sorted(new - old)}; removed: {sorted(old - new)}"
        )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_operation_has_a_real_id_and_summary(api: Api) -> None:
    ids = []
    for path, operations in schema(api)["paths"].items():
        for method in METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            op_id = operation.get("operationId", "")
            assert re.fullmatch(r"[a-z][A-Za-z]+", op_id), (path, method, op_id)
            assert "callable" not in op_id.lower(), (path, method, op_id)
            summary = operation.get("summary", "").strip()
            # A real summary, not the handler's name that Litestar falls back to ("ListCampaigns").
            assert summary and not re.fullmatch(r"[A-Z][A-Za-z]+", summary), (path, method, summary)
            ids.append(op_id)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_options_never_fails_on_any_route(api: Api) -> None:
    paths = list(schema(api)["paths"])
    assert len(paths) > 40
    for path in paths:
        concrete = re.sub(r"\{[^}]+\}", "x", path)
        for headers in ({}, api.headers("drafter")):
            response = api.client.options(concrete, headers=headers)
            assert response.status_code < 500, (path, response.status_code, response.text[:200])
