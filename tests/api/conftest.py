"""An app per test on SQLite and PostgreSQL, with one user per role and their tokens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from domain.shared.identity import Role
from services.api.client import request_for
from services.asgi import create_app
from services.bootstrap import Container, build
from services.infra.settings import Settings

USERS = {
    "drafter": (Role.DRAFTER, None),
    "section-chief": (Role.SECTION_CHIEF, None),
    "deputy": (Role.DEPUTY_DIRECTOR, None),
    "director": (Role.DIRECTOR, None),
    "office": (Role.OFFICE, None),
    "bianban-liaison": (Role.CO_LEAD_UNIT, "市委编办"),
    "hanbin": (Role.ASSESSED_UNIT, "汉滨区"),
    "auditor": (Role.AUDITOR, None),
    "admin": (Role.ADMIN, None),
}


class Api:
    """A test client that knows every user's token."""

    def __init__(self, client: TestClient[Any], tokens: dict[str, str], container: Container) -> None:
        self.container = container
        self.client = client
        self.tokens = tokens

    def headers(self, user: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}", **extra}

    def post(self, user: str, path: str, body: Any = None, **headers: str) -> Any:
        return self.client.post(
            path, json=body if body is not None else {}, headers=self.headers(user, **headers)
        )

    def get(self, user: str, path: str, **params: Any) -> Any:
        return self.client.get(path, params=params, headers=self.headers(user))

    def command(self, user: str, command: Any, key: str | None = None, **headers: str) -> Any:
        path, body = request_for(command, key)
        return self.post(user, path, body, **headers)

    def ok(self, user: str, command: Any, key: str | None = None) -> Any:
        response = self.command(user, command, key)
        assert response.status_code in (200, 201), (type(command).__name__, response.text)
        return response.json()

    def log_head(self) -> int:
        return int(self.get("auditor", "/ready").json()["log_position"])


def add_users(
    container: Container, users: dict[str, tuple[Role, str | None]], password: str = "Kaohe-Test-2026!"
) -> dict[str, str]:
    """Each user (unit accounts with their organisation, registered first) and a token for each."""
    tokens = {}
    for name, (role, unit) in users.items():
        if unit:
            container.identity.organisations.ensure(unit, ORG_KINDS.get(role, "other"))
        user = container.identity.add_user(name, role, password, unit)
        tokens[name] = container.identity.issue_token(user).token
    return tokens


ORG_KINDS = {Role.ASSESSED_UNIT: "county", Role.CO_LEAD_UNIT: "co_lead_body"}


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    settings = Settings(data_dir=tmp_path, database_url=database_url, log_format="json", log_level="WARNING")
    container = build(settings)
    tokens = add_users(container, USERS)
    app = create_app(settings, container)
    with TestClient(app) as client:
        yield Api(client, tokens, container)
