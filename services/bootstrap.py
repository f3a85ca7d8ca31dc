"""The composition root: the one place that builds engines, stores, the core and its after-commit work.

Every entry point (the API and pages, the workers, the command line, the demo's embedded server) gets its
parts from ``build``; Litestar hands them to handlers through ``Provide`` (``services.asgi``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from sqlalchemy import Engine

from domain.approval.state import DocumentState
from domain.campaign.state import CampaignState
from domain.reports import ReportRequested
from domain.shared.events import event_types
from services.app.commands import CommandResult, CommandRunner, RequestInfo
from services.app.core import Core
from services.app.operations import Operations
from services.app.queries import Queries
from services.eventstore.registry import EventTypeRegistry
from services.eventstore.store import EventStore
from services.identity.accounts import Identity
from services.identity.throttle import SignInThrottle, throttle_url
from services.infra.artifacts import ArtifactStore
from services.infra.db import make_engine
from services.infra.dispatch import BackgroundWaker, NoWaker, Waker, install_signals, producer
from services.infra.settings import Settings
from services.letters.check import TemplateCheck
from services.projections.freshness import ProjectionReader
from services.projections.registry import PROJECTIONS


def domain_registry() -> EventTypeRegistry:
    """Every domain event type at its current schema version, with its upcasters."""
    import domain.catalogue  # noqa: F401  (registers every event class)

    registry = EventTypeRegistry()
    for name, cls in sorted(event_types().items()):
        registry.register(name, cls.VERSION)
        for from_version, upcaster in cls.UPCASTERS.items():
            registry.register_upcaster(name, from_version, upcaster)
    registry.check_complete()
    return registry


AppendListener = Callable[[int], None]


class Container:
    """The parts one process runs on. ``listeners`` are called with the number of events after each
    committed append (the API counts them for /metrics)."""

    def __init__(  # noqa: PLR0917
        self,
        settings: Settings,
        engine: Engine,
        store: EventStore,
        identity: Identity,
        runner: CommandRunner,
        core: Core,
        waker: Waker,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.store = store
        self.identity = identity
        self.runner = runner
        self.core = core
        self.waker = waker
        self.listeners: list[AppendListener] = []

    @cached_property
    def throttle(self) -> SignInThrottle:
        """Sign-in failures, counted for the pages and the API's token sign-in alike (made on first use:
        the workers and the command line never connect to its storage)."""
        return SignInThrottle.from_url(throttle_url(self.settings))

    @property
    def queries(self) -> Queries:
        return self.core.queries

    @property
    def operations(self) -> Operations:
        return Operations(self.store, self.settings)

    def after_commit(self, result: CommandResult, request: RequestInfo) -> None:
        """After each committed append: wake the projections, and send any requested report to render."""
        for listener in self.listeners:
            listener(len(result.events))
        self.waker.wake(request.request_id)
        renders = [e.report_id for e in result.events if isinstance(e, ReportRequested)]
        if renders:
            self.waker.render(renders)

    def close(self) -> None:
        self.waker.close()
        self.engine.dispose()


def build(settings: Settings | None = None, waker: Waker | None = None) -> Container:
    """Everything wired from settings; ``waker`` carries after-commit work to the workers (none: tools)."""
    settings = settings or Settings.from_env()
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    store = EventStore(engine, domain_registry())
    runner = CommandRunner(store)
    reader = ProjectionReader(engine, store, settings.read_wait_seconds)
    identity = Identity(engine, store)
    queries = Queries(runner, reader, ArtifactStore(settings.data_dir / "artifacts"), identity)
    core = Core(runner, queries, TemplateCheck(_seed_letter))
    container = Container(settings, engine, store, identity, runner, core, waker or NoWaker())
    runner.after_append = container.after_commit
    return container


def _seed_letter() -> tuple[CampaignState, DocumentState]:
    """The record a campaign's own template is tried on before it is recorded: the seed's letter."""
    from services.seed.letter import seed_document, seed_record

    return seed_record()[0], seed_document()


def celery_waker(settings: Settings) -> Waker:
    """After-commit work sent to the workers as Celery messages (wake-ups per projection, renders)."""
    install_signals()
    return BackgroundWaker(producer(settings), PROJECTIONS)
