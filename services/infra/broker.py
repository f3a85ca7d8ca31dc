"""Celery configuration shared by the producer (API, CLI) and the workers: one place, built from settings.

Without KAOHE_BROKER_URL the broker is Celery's filesystem transport in the data folder: no server, and
the same task code path as production (a real worker process consumes real messages). Its caveat, a
message is gone once fetched, is covered by the event log and the sweep (docs/operations.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kombu.connection import Connection

from services.infra.settings import Settings

QUEUE = "kaohe"
FOLDERS = ("queue", "processed", "control")
CATCH_UP = "kaohe.projections.catch_up"
SWEEP = "kaohe.projections.sweep"
REBUILD = "kaohe.projections.rebuild"
RENDER = "kaohe.reports.render"
TASK_NAMES = (CATCH_UP, SWEEP, REBUILD, RENDER)
CONNECT_TIMEOUT = 2.0


def folders(settings: Settings) -> dict[str, Path]:
    return {name: settings.broker_dir / name for name in FOLDERS}


def broker_url(settings: Settings) -> str:
    return settings.broker_url or "filesystem://localhost//"


def transport_options(settings: Settings) -> dict[str, Any]:
    if settings.broker_url is not None:
        # Redis: an unacknowledged message comes back after the visibility timeout (longer than any task).
        return {"visibility_timeout": 3600, "socket_connect_timeout": CONNECT_TIMEOUT, "socket_timeout": 10}
    paths = folders(settings)
    for path in paths.values():
        path.mkdir(parents=True, exist_ok=True)
    return {
        # In and out are the same folder: producers and workers on this host share one queue.
        "data_folder_in": str(paths["queue"]),
        "data_folder_out": str(paths["queue"]),
        "processed_folder": str(paths["processed"]),
        "store_processed": False,
        # Defaults to ./control relative to the current directory: pin it to the data folder.
        "control_folder": str(paths["control"]),
        "polling_interval": 0.2,
    }


def celery_config(settings: Settings) -> dict[str, Any]:
    """Settings every Kaohe Celery app uses: JSON only, late acks, one message at a time, no results."""
    return {
        "broker_url": broker_url(settings),
        "broker_transport_options": transport_options(settings),
        "broker_connection_timeout": CONNECT_TIMEOUT,
        "broker_connection_retry_on_startup": True,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "task_ignore_result": True,
        "task_default_queue": QUEUE,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "worker_hijack_root_logger": False,
        "worker_redirect_stdouts": False,
        "enable_utc": True,
        "timezone": "UTC",
    }


def check_broker(settings: Settings) -> tuple[bool, str]:
    """For /ready: can we reach the broker right now (within a short timeout)?"""
    if settings.broker_url is None:
        missing = [str(p) for p in folders(settings).values() if not p.is_dir()]
        return (not missing, "filesystem" if not missing else f"missing {', '.join(missing)}")
    try:
        with Connection(settings.broker_url, connect_timeout=CONNECT_TIMEOUT) as conn:  # type: ignore[no-untyped-call]
            conn.ensure_connection(max_retries=1, timeout=CONNECT_TIMEOUT)
    except Exception as exc:
        return False, exc.__class__.__name__
    return True, "ok"
