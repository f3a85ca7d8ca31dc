"""The Celery app: stable task names, one policy, JSON only, the embedded broker pinned to the data folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from services.infra.broker import TASK_NAMES, broker_path, celery_config
from services.infra.settings import Settings
from workers.celery_app import app, create_celery
from workers.policy import POLICY, TRANSIENT, kaohe_task

PINNED = {
    "kaohe.projections.catch_up",
    "kaohe.projections.sweep",
    "kaohe.projections.rebuild",
    "kaohe.reports.render",
    "kaohe.integrity.checkpoint",
}


def test_task_names_are_pinned() -> None:
    app.loader.import_default_modules()
    ours = {name for name in app.tasks if not name.startswith("celery.")}
    assert ours == PINNED == set(TASK_NAMES)


def test_every_task_follows_the_one_policy() -> None:
    app.loader.import_default_modules()
    for name in PINNED:
        task = app.tasks[name]
        assert (task.acks_late, task.reject_on_worker_lost, task.ignore_result) == (True, True, True)
        assert task.autoretry_for == TRANSIENT and task.max_retries == POLICY["max_retries"]
    assert issubclass(OperationalError, TRANSIENT)
    assert not issubclass(IntegrityError, TRANSIENT), "a programming or data error is never retried"
    assert not issubclass(ValueError, TRANSIENT)
    with pytest.raises(ValueError, match="kaohe"):
        kaohe_task(app, "catch_up")


def test_configuration_json_only_late_acks_one_at_a_time(tmp_path: Path) -> None:
    conf = create_celery(Settings(data_dir=tmp_path, database_url="sqlite://", sweep_seconds=2)).conf
    assert (conf.task_serializer, conf.result_serializer, list(conf.accept_content)) == (
        "json",
        "json",
        ["json"],
    )
    assert (conf.task_acks_late, conf.task_reject_on_worker_lost, conf.worker_prefetch_multiplier) == (
        True,
        True,
        1,
    )
    assert conf.worker_hijack_root_logger is False
    assert conf.beat_schedule["sweep"] == {"task": "kaohe.projections.sweep", "schedule": 2}
    assert conf.beat_schedule["checkpoint"] == {"task": "kaohe.integrity.checkpoint", "schedule": 3600}


def test_embedded_broker_lives_in_the_data_folder(tmp_path: Path) -> None:
    config = celery_config(Settings(data_dir=tmp_path, database_url="sqlite://"))
    file = broker_path(Settings(data_dir=tmp_path, database_url="sqlite://"))
    assert file.parent == tmp_path and file.name != "kaohe.sqlite3", "its own file, beside the event store's"
    assert config["broker_url"] == f"kaohe-sqlite+sqlite:///{file}"
    assert config["worker_enable_remote_control"] is False


def test_a_redis_broker_gets_a_visibility_timeout_and_short_connects(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url="sqlite://", broker_url="redis://127.0.0.1:6379/3")
    config = celery_config(settings)
    assert config["broker_url"] == "redis://127.0.0.1:6379/3"
    assert config["broker_transport_options"]["visibility_timeout"] >= 3600
    assert config["broker_transport_options"]["socket_connect_timeout"] <= 2
