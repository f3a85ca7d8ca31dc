"""The composition root: the one place that builds engines, registries and stores from settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from domain.events import event_types
from services.db import make_engine
from services.eventstore.registry import EventTypeRegistry
from services.eventstore.store import EventStore
from services.identity import Identity
from services.settings import Settings


def domain_registry() -> EventTypeRegistry:
    """Every domain event type at its current schema version, with its upcasters."""
    import domain.catalogue  # noqa: F401  (registers every event class)

    registry = EventTypeRegistry()
    for name, cls in sorted(event_types().items()):
        registry.register(name, cls.VERSION)
    registry.check_complete()
    return registry


@dataclass
class Container:
    settings: Settings
    engine: Engine
    store: EventStore
    identity: Identity

    def close(self) -> None:
        self.engine.dispose()


def build(settings: Settings | None = None) -> Container:
    settings = settings or Settings.from_env()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    store = EventStore(engine, domain_registry())
    return Container(settings, engine, store, Identity(engine, store))
