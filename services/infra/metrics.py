"""Prometheus metrics. Counts shared by many processes (log, projections, tasks) come from the database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from sqlalchemy.dialects import postgresql, sqlite

from services.eventstore.tables import events_table
from services.infra.supervise import restart_counts
from services.projections import checkpoints
from services.projections.checkpoints import write_transaction
from services.projections.tables import task_counts_table


class Metrics:
    """One registry per API process: its own append counters plus what the database says at scrape time."""

    def __init__(self, engine: Engine) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.commands = Counter(
            "kaohe_api_appends", "Commands this API process appended to the log", registry=self.registry
        )
        self.events = Counter(
            "kaohe_api_events_appended", "Events this API process appended to the log", registry=self.registry
        )
        self.registry.register(DatabaseCollector(engine))
        self.registry.register(ServeCollector())

    def appended(self, events: int) -> None:
        self.commands.inc()
        self.events.inc(events)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class DatabaseCollector(Collector):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("kaohe_database_up", "1 when the database answered this scrape")
        try:
            families = self._from_database()
        except Exception:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _from_database(self) -> list[Metric]:
        with self.engine.connect() as conn:
            head = int(conn.execute(select(func.max(events_table.c.position))).scalar() or 0)
            counts = conn.execute(
                select(task_counts_table.c.task, task_counts_table.c.outcome, task_counts_table.c.count)
            ).all()
        found = checkpoints.everything(self.engine)
        log_events = CounterMetricFamily("kaohe_log_events", "Events in the log (every process's appends)")
        log_events.add_metric([], head)
        position = GaugeMetricFamily(
            "kaohe_projection_position",
            "Last log position applied",
            labels=["projection", "generation", "state"],
        )
        lag = GaugeMetricFamily(
            "kaohe_projection_lag_events",
            "Log head minus the active generation's position",
            labels=["projection"],
        )
        for c in found:
            position.add_metric([c.name, str(c.generation), c.state], c.position)
            if c.state == checkpoints.ACTIVE:
                lag.add_metric([c.name], max(0, head - c.position))
        tasks = CounterMetricFamily(
            "kaohe_worker_tasks", "Worker tasks by outcome", labels=["task", "outcome"]
        )
        for task, outcome, count in counts:
            tasks.add_metric([task, outcome], count)
        return [log_events, position, lag, tasks]


class ServeCollector(Collector):
    """Under `kaohe serve`: how often the supervisor restarted each child (read from its state file)."""

    def collect(self) -> Iterator[Metric]:
        counts = restart_counts()
        if not counts:
            return
        restarts = CounterMetricFamily(
            "kaohe_serve_child_restarts",
            "Times `kaohe serve` restarted a child process that died",
            labels=["child"],
        )
        for child, count in sorted(counts.items()):
            restarts.add_metric([child], count)
        yield restarts


def count_task(engine: Engine, task: str, outcome: str) -> None:
    """One more task run with this outcome (the workers call it; /metrics reads it)."""
    table = task_counts_table
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).values(task=task, outcome=outcome, count=1, updated_at=datetime.now(UTC))
    stmt = stmt.on_conflict_do_update(
        index_elements=["task", "outcome"],
        set_={"count": table.c.count + 1, "updated_at": stmt.excluded.updated_at},
    )
    with write_transaction(engine) as conn:
        conn.execute(stmt)
