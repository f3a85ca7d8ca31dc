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
    "hanbin": (Role.ASSESSED_UNIT, "C01"),
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


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    settings = Settings(data_dir=tmp_path, database_url=database_url, log_format="json", log_level="WARNING")
    container = build(settings)
    tokens = {}
    for name, (role, unit) in USERS.items():
        user = container.identity.add_user(name, role, "Kaohe-Test-2026!", unit)
        tokens[name] = container.identity.issue_token(user).token
    app = create_app(settings, container)
    with TestClient(app) as client:
        yield Api(client, tokens, container)
