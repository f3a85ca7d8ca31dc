"""What a worker process needs, built once on first use (never at import): settings, database, runner."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from services.bootstrap import Container, build
from services.infra.settings import Settings
from services.projections.runner import Runner


@dataclass
class Runtime:
    container: Container
    runner: Runner


class _Holder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.current: Runtime | None = None


_holder = _Holder()


def runtime(settings: Settings | None = None) -> Runtime:
    with _holder.lock:
        if _holder.current is None:
            settings = settings or Settings.from_env()
            container = build(settings)
            runner = Runner(
                container.engine, container.store, settings.projection_batch, settings.rebuild_batch
            )
            _holder.current = Runtime(container, runner)
        return _holder.current


def reset() -> None:
    """Drop the runtime (a forked pool child must not share its parent's connections)."""
    with _holder.lock:
        if _holder.current is not None:
            _holder.current.container.close()
        _holder.current = None
