"""The application's own PostgreSQL role: it appends, reads and keeps the read models, and can neither change
recorded history nor drop the triggers that refuse it (only the schema owner can)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from services.bootstrap import build
from services.infra.settings import Settings
from tests.workers.seed import run_campaign

pytestmark = pytest.mark.postgres
KAOHE = [sys.executable, "-m", "services.cli.main"]


def kaohe(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*KAOHE, *args], env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip


def _env(owner_url: str, app_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "KAOHE_MIGRATE_DATABASE_URL": owner_url,
        "KAOHE_DATABASE_URL": app_url,
        "KAOHE_DATA_DIR": str(tmp_path / "data"),
        "KAOHE_LOG_LEVEL": "WARNING",
    }


def test_the_app_role_appends_and_reads_but_cannot_change_history(
    pg_url: str, app_role: str, tmp_path: Path
) -> None:
    app_url = make_url(pg_url).set(username=app_role, password="app:pass%word").render_as_string(False)
    env = _env(pg_url, app_url, tmp_path)
    migrated = kaohe(["migrate", "--grant-app-role"], env)
    assert migrated.returncode == 0, migrated.stderr
    assert f"role {app_role}: " in migrated.stdout and "events SELECT, INSERT;" in migrated.stdout

    settings = Settings(data_dir=tmp_path / "data", database_url=app_url.replace("postgresql://",
                        "postgresql+psycopg://"), log_level="WARNING")  # fmt: skip
    container = build(settings)
    try:
        run_campaign(container.store)  # appends through the use cases, with idempotency keys and the head
        head = container.store.head().position
        assert head > 100
        container.operations.catch_up()  # every projection writes its rows and checkpoints
        _, states = container.operations.projections()
        assert {s.position for s in states} == {head}
        identity = container.identity
        identity.issue_token(identity.add_user("zhang", "drafter", "s3cret-passw0rd", None))
        refused = [
            "UPDATE events SET stream_id = 'x' WHERE position = 1",
            "DELETE FROM events WHERE position = 1",
            "TRUNCATE events",
            "DELETE FROM idempotency_keys",
            "DROP TRIGGER events_immutable ON events",
            "ALTER TABLE events DISABLE TRIGGER events_immutable",
            "CREATE TABLE sneaky (id int)",
        ]
        for statement in refused:
            with (
                pytest.raises(DBAPIError, match=r"permission denied|must be owner"),
                container.engine.begin() as c,
            ):
                c.execute(text(statement))
    finally:
        container.close()
    assert kaohe(["verify"], env).returncode == 0
    assert kaohe(["checkpoint", "write"], env).returncode == 0


def test_the_grant_refuses_a_superuser_and_needs_the_owner_url(pg_url: str, tmp_path: Path) -> None:
    refused = kaohe(["db", "grant-app-role", "postgres"], _env(pg_url, pg_url, tmp_path))
    assert refused.returncode == 1 and "postgres is a superuser" in refused.stderr
    no_owner = kaohe(
        ["db", "grant-app-role", "x"], {"KAOHE_DATABASE_URL": pg_url, "KAOHE_DATA_DIR": str(tmp_path)}
    )
    assert no_owner.returncode == 1 and "KAOHE_MIGRATE_DATABASE_URL" in no_owner.stderr
