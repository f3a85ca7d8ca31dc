"""Celery signals: our logging (not Celery's), task_id and request_id on every line, task counts in the DB."""

from __future__ import annotations

from typing import Any

import structlog
from celery.signals import (
    setup_logging,
    task_failure,
    task_postrun,
    task_prerun,
    task_retry,
    task_success,
    worker_process_init,
)

from services.infra.dispatch import install_signals
from services.infra.logs import configure_logging, get_logger
from services.infra.metrics import count_task
from services.infra.settings import Settings
from workers import runtime

log = get_logger("kaohe.worker")


def on_setup_logging(**_: Any) -> None:
    """Connecting setup_logging is what stops Celery from configuring the root logger itself."""
    settings = Settings.from_env()
    configure_logging(settings.log_format, settings.log_level)


def on_prerun(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    structlog.contextvars.clear_contextvars()
    request_id = getattr(task.request, "request_id", None) if task is not None else None
    structlog.contextvars.bind_contextvars(task_id=task_id, task_name=getattr(task, "name", None))
    if request_id:
        structlog.contextvars.bind_contextvars(request_id=request_id)


def on_postrun(**_: Any) -> None:
    structlog.contextvars.clear_contextvars()


def _counter(outcome: str) -> Any:
    def count(sender: Any = None, **_: Any) -> None:
        name = getattr(sender, "name", None) or str(sender)
        try:
            count_task(runtime.runtime().container.engine, name, outcome)
        except Exception as exc:  # counting must never fail a task
            log.warning("task_count_failed", task=name, outcome=outcome, error=exc.__class__.__name__)

    return count


def install() -> None:
    install_signals()
    setup_logging.connect(on_setup_logging, weak=False)
    task_prerun.connect(on_prerun, weak=False)
    task_postrun.connect(on_postrun, weak=False)
    task_success.connect(_counter("succeeded"), weak=False)
    task_failure.connect(_counter("failed"), weak=False)
    task_retry.connect(_counter("retried"), weak=False)
    worker_process_init.connect(lambda **_: runtime.reset(), weak=False)
