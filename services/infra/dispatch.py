"""The one place services send work to the workers: by task name, after commit, never blocking a request.

Wake-ups are coalesced and sent from a background thread. If the broker is down the command has still
succeeded (its events are in the log); we log a warning and the periodic sweep catches up later.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any, Protocol

import structlog
from celery import Celery
from celery.signals import before_task_publish

from services.infra.broker import CATCH_UP, REBUILD, RENDER, celery_config
from services.infra.logs import get_logger
from services.infra.settings import Settings

log = get_logger("kaohe.dispatch")
RETRY_AFTER_SECONDS = 1.0
RETRY_AT_MOST_SECONDS = 30.0


class Waker(Protocol):
    def wake(self, request_id: str | None = None) -> None: ...

    def render(self, report_ids: Iterable[str]) -> None: ...

    def close(self) -> None: ...


def producer(settings: Settings) -> Celery:
    """A small Celery app that only sends (it registers no tasks)."""
    app = Celery("kaohe-producer", set_as_current=False)
    app.conf.update(celery_config(settings))
    return app


def carry_request_id(headers: dict[str, Any] | None = None, **_: Any) -> None:
    """before_task_publish: the caller's request_id travels in the message headers."""
    if headers is None:
        return
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if request_id and not headers.get("request_id"):
        headers["request_id"] = request_id


def install_signals() -> None:
    before_task_publish.connect(carry_request_id, weak=False, dispatch_uid="kaohe.carry_request_id")


def send_catch_up(app: Celery, names: Iterable[str], request_id: str | None = None) -> None:
    headers = {"request_id": request_id} if request_id else {}
    for name in names:
        app.send_task(CATCH_UP, kwargs={"name": name}, headers=headers, retry=False)


def send_rebuild(app: Celery, name: str) -> None:
    app.send_task(REBUILD, kwargs={"name": name}, retry=False)


class BackgroundWaker:
    """Coalesces wake-ups: however many commands commit meanwhile, one round of messages follows.

    Report renderings asked for meanwhile are sent from the same thread, each once.
    """

    def __init__(self, app: Celery, names: Iterable[str]) -> None:
        self.app = app
        self.names = tuple(names)
        self._pending = threading.Event()
        self._stop = threading.Event()
        self._request_id: str | None = None
        self._renders: list[str] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="kaohe-waker", daemon=True)
        self._thread.start()

    def wake(self, request_id: str | None = None) -> None:
        self._request_id = request_id
        self._pending.set()

    def render(self, report_ids: Iterable[str]) -> None:
        with self._lock:
            self._renders.extend(report_ids)
        self._pending.set()

    def close(self) -> None:
        self._stop.set()
        self._pending.set()
        self._thread.join(timeout=5)

    def _send(self) -> None:
        send_catch_up(self.app, self.names, self._request_id)
        with self._lock:
            renders, self._renders = self._renders, []
        try:
            for report_id in dict.fromkeys(renders):
                self.app.send_task(RENDER, kwargs={"report_id": report_id}, retry=False)
        except Exception:
            with self._lock:  # keep what was not sent for the next round (the sweep also resends)
                self._renders = renders + self._renders
            raise

    def _run(self) -> None:
        delay = RETRY_AFTER_SECONDS
        while not self._stop.is_set():
            self._pending.wait()
            if self._stop.is_set():
                return
            self._pending.clear()
            try:
                self._send()
            except Exception as exc:  # the broker is down: the events are safe, the sweep will catch up
                log.warning("wake_up_not_sent", error=f"{exc.__class__.__name__}: {exc}", retry_in=delay)
                self._pending.set()
                self._stop.wait(delay)
                delay = min(delay * 2, RETRY_AT_MOST_SECONDS)
            else:
                delay = RETRY_AFTER_SECONDS


class NoWaker:
    """For tools that run no workers (and tests that drive projections themselves)."""

    def wake(self, request_id: str | None = None) -> None:
        return None

    def render(self, report_ids: Iterable[str]) -> None:
        return None

    def close(self) -> None:
        return None
