"""Property-based requests generated from the app's own OpenAPI schema: no 5xx, every error problem+json."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from litestar import Litestar

from domain.shared.identity import Role
from services.api.command_routes import ROUTES
from services.asgi import create_app
from services.bootstrap import build
from services.infra.settings import Settings
from tests.api.conftest import USERS
from tests.conftest import sqlite_url as _sqlite_url  # noqa: F401  (fixture)

USER_OF_ROLE = {role: name for name, (role, _) in USERS.items()}
ROUTE_ROLE = {(re.sub(r"\{(\w+):str\}", r"{\1}", r.path), "POST"): USER_OF_ROLE[r.roles[0]] for r in ROUTES}
TOKENS: dict[str, str] = {}


@pytest.fixture
def api_app(sqlite_url: str, tmp_path: Path) -> Iterator[Litestar]:
    settings_ = Settings(data_dir=tmp_path, database_url=sqlite_url, log_format="json", log_level="ERROR")
    container = build(settings_)
    for name, (role, unit) in USERS.items():
        user = container.identity.add_user(name, role, "Kaohe-Test-2026!", unit)
        TOKENS[name] = container.identity.issue_token(user).token
    yield create_app(settings_, container)
    container.close()


@pytest.fixture
def api_schema(api_app: Litestar) -> Any:
    return schemathesis.openapi.from_asgi("/schema/openapi.json", api_app)


def _user_for(case: Any) -> str:
    if case.path == "/users" or case.path.startswith("/users/"):
        return USER_OF_ROLE[Role.ADMIN]
    return ROUTE_ROLE.get((case.path, case.method.upper()), USER_OF_ROLE[Role.AUDITOR])


STATUSES: list[int] = []


def _check(case: Any) -> None:
    headers = {"Authorization": f"Bearer {TOKENS[_user_for(case)]}"}
    response = case.call(headers=headers)
    STATUSES.append(response.status_code)
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
    if response.status_code >= 400:
        assert response.headers["content-type"][0].startswith("application/problem+json"), response.text[:300]
        assert response.json()["status"] == response.status_code


def test_generated_requests_never_break_the_api(api_schema: Any) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= len(ROUTES)
    for operation in operations:
        run = settings(
            max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )(given(case=operation.as_strategy())(_check))
        run()
    assert len(STATUSES) > 5 * len(operations), "schemathesis really sent requests"
    assert {200, 201} & set(STATUSES) and {403, 404, 422} <= set(STATUSES), sorted(set(STATUSES))
