"""Beat's checkpoint task: signs the head into the checkpoints folder once per head; quiet on an empty log."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.app.integrity import public_keys
from services.infra.settings import Settings
from tests.integration.test_eventstore_integrity import fill
from workers import runtime as worker_runtime
from workers.tasks import checkpoint


@pytest.fixture
def settings(sqlite_url: str, tmp_path: Path) -> Iterator[Settings]:
    worker_runtime.reset()
    settings = Settings(data_dir=tmp_path / "data", database_url=sqlite_url, log_level="WARNING")
    worker_runtime.runtime(settings)
    yield settings
    worker_runtime.reset()


def test_the_task_signs_each_new_head_once(settings: Settings, sqlite_url: str) -> None:
    folder = settings.checkpoints
    assert checkpoint.run() == 0 and not folder.exists(), "an empty log: nothing to sign, no error"
    fill(sqlite_url, 5)
    assert checkpoint.run() == 5
    assert checkpoint.run() == 5, "the head has not moved"
    assert [p.name[:12] for p in sorted(folder.glob("*.json"))] == ["000000000005"]
    fill(sqlite_url, 2)
    assert checkpoint.run() == 7
    files = sorted(folder.glob("*.json"))
    assert [p.name[:12] for p in files] == ["000000000005", "000000000007"]
    keys = public_keys(settings, [])
    assert len(keys) == 1 and settings.key_file.stat().st_mode & 0o077 == 0
    operations = worker_runtime.runtime().container.operations
    assert all(check.ok for check in operations.integrity.check(files, keys))

    (folder / "999999999999-broken.json").write_text("{not json")
    assert checkpoint.run() == 7, "an unreadable newest file does not stop the signing"
    assert len(list(folder.glob("000000000007-*.json"))) >= 1
