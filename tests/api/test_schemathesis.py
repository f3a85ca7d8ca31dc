"""Property-based requests generated from the app's own OpenAPI schema: no 5xx, every error problem+json.

Every operation runs schemathesis's phases as its pytest integration does: the schema's examples, the
coverage phase (each boundary and each way to break a parameter or a body, plus undeclared methods such as
OPTIONS, TRACE and PUT on every path) and fuzzing. Each request goes as a user of the role the operation is
for, so a body is judged on its merits and not refused at the door.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar import Litestar

from domain.shared.identity import Role
from services.api.command_routes import ROUTES
from services.asgi import create_app
from services.bootstrap import build
from services.infra.settings import Settings
from tests.api.conftest import USERS, add_users
from tests.conftest import sqlite_url as _sqlite_url  # noqa: F401  (fixture)

USER_OF_ROLE = {role: name for name, (role, _) in USERS.items()}
ROUTE_ROLE = {(re.sub(r"\{(\w+):str\}", r"{\1}", r.path), "POST"): USER_OF_ROLE[r.roles[0]] for r in ROUTES}
TOKENS: dict[str, str] = {}


@pytest.fixture
def api_app(sqlite_url: str, tmp_path: Path) -> Iterator[Litestar]:
    settings_ = Settings(data_dir=tmp_path, database_url=sqlite_url, log_format="json", log_level="ERROR")
    container = build(settings_)
    TOKENS.update(add_users(container, USERS))
    yield create_app(settings_, container)
    container.close()


@pytest.fixture
def api_schema(api_app: Litestar) -> Any:
    return schemathesis.openapi.from_asgi("/schema/openapi.json", api_app)


schema = schemathesis.pytest.from_fixture("api_schema")


def _user_for(case: Any) -> str:
    if case.path == "/users" or case.path.startswith("/users/"):
        return USER_OF_ROLE[Role.ADMIN]
    return ROUTE_ROLE.get((case.path, case.method.upper()), USER_OF_ROLE[Role.AUDITOR])


STATUSES: list[int] = []
METHODS: set[str] = set()


def _check(case: Any) -> None:
    headers = {"Authorization": f"Bearer {TOKENS[_user_for(case)]}"}
    response = case.call(headers=headers)
    STATUSES.append(response.status_code)
    METHODS.add(case.method.upper())
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
    if response.status_code >= 400:
        assert response.headers["content-type"][0].startswith("application/problem+json"), response.text[:300]
        assert response.json()["status"] == response.status_code


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_generated_requests_never_break_the_api(case: Any) -> None:
    _check(case)


def test_every_phase_really_ran() -> None:
    """Runs after the generated tests (file order): they sent requests of every kind."""
    if not METHODS:
        pytest.skip("run with the generated tests")
    assert {"OPTIONS", "TRACE", "PUT"} <= METHODS, sorted(METHODS)
    assert {200, 201} & set(STATUSES) and {403, 404, 405, 422} <= set(STATUSES), sorted(set(STATUSES))
