"""Bearer tokens are trusted for a few seconds after a check: a revocation bites at once here, within the
bound elsewhere, and an unknown token is never remembered."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from litestar.testing import TestClient

from domain.shared.identity import Role
from services.asgi import create_app
from services.bootstrap import build
from services.identity.accounts import Identity
from services.infra.dispatch import NoWaker
from services.infra.migrate import migrate
from services.infra.settings import Settings

BOUND = 0.5


def test_a_revocation_takes_effect_at_once_here_and_within_the_bound_elsewhere(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/k.db", log_level="WARNING")
    settings = replace(settings, token_cache_seconds=BOUND)
    container = build(settings)
    migrate(container.engine)
    user = container.identity.add_user("zhang", Role.DRAFTER, "Kaohe-Test-2026!")
    with TestClient(create_app(settings, container, waker=NoWaker())) as client:
        first = container.identity.issue_token(user).token
        assert client.get("/me", headers={"Authorization": f"Bearer {first}"}).status_code == 200
        container.identity.revoke_tokens(user)  # this process: forgotten at once
        assert client.get("/me", headers={"Authorization": f"Bearer {first}"}).status_code == 401

        second = container.identity.issue_token(user).token
        assert client.get("/me", headers={"Authorization": f"Bearer {second}"}).status_code == 200
        elsewhere = Identity(container.engine, container.store)  # another process's revocation
        elsewhere.revoke_tokens(user)
        cached = client.get("/me", headers={"Authorization": f"Bearer {second}"}).status_code
        time.sleep(BOUND + 0.1)
        assert (cached, client.get("/me", headers={"Authorization": f"Bearer {second}"}).status_code) == (
            200,
            401,
        )

        guess = "kh_" + "x" * 43
        assert client.get("/me", headers={"Authorization": f"Bearer {guess}"}).status_code == 401
        assert client.get("/me", headers={"Authorization": f"Bearer {guess}"}).status_code == 401
