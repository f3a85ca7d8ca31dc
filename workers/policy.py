"""The one task policy: late acks, requeue on a lost worker, backoff retries for transient errors only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from celery import Celery
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# The database went away, a lock timed out, the pool was exhausted: worth another try. Anything else
# (a bug, a refused value) fails at once: retrying a programming error only repeats it.
TRANSIENT: tuple[type[Exception], ...] = (OperationalError, PoolTimeout)
POLICY: dict[str, Any] = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 8,
    "ignore_result": True,
}


def kaohe_task(app: Celery, name: str) -> Callable[[Callable[..., Any]], Any]:
    """Register a task under a stable, explicit name with the policy above."""
    if not name.startswith("kaohe."):
        raise ValueError(f"task names are stable and start with 'kaohe.', not {name!r}")
    decorate: Callable[[Callable[..., Any]], Any] = app.task(name=name, **POLICY)
    return decorate
