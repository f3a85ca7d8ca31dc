"""Celery tasks: projections catch up, the periodic sweep, a rebuild, renders, signed checkpoints. Each is
safe to run twice."""

from __future__ import annotations

from datetime import timedelta

from services.app.commands import CommandRunner
from services.app.integrity import CheckpointError
from services.app.reports import pending_reports, set_progress
from services.infra.artifacts import ArtifactStore
from services.infra.broker import CATCH_UP, CHECKPOINT, REBUILD, RENDER, RENDER_GRACE_SECONDS, SWEEP
from services.infra.dispatch import send_catch_up
from services.infra.logs import get_logger
from services.projections.registry import PROJECTIONS
from workers.celery_app import app
from workers.policy import kaohe_task
from workers.report_render import render_report
from workers.runtime import runtime

log = get_logger("kaohe.tasks")


@kaohe_task(app, CATCH_UP)
def catch_up(name: str | None = None) -> int:
    """Apply whatever the log holds after the checkpoint of one projection (or of all)."""
    names = [name] if name else list(PROJECTIONS)
    applied = 0
    for each in names:
        applied += sum(p.applied for p in runtime().runner.catch_up(each))
    return applied


@kaohe_task(app, SWEEP)
def sweep() -> None:
    """The safety net: housekeeping, then a catch-up for every projection, whatever messages were lost."""
    names = runtime().runner.sweep()
    send_catch_up(app, names)
    # A report waiting its turn or rendering now moves its progress; only one quiet for longer than a
    # rendering may take (its message was lost, or its worker died) is sent again.
    quiet = timedelta(seconds=runtime().container.settings.render_seconds + RENDER_GRACE_SECONDS + 30)
    engine = runtime().container.engine
    for report_id in pending_reports(CommandRunner(runtime().container.store), quiet_for=quiet):
        set_progress(engine, report_id, "queued", 0)  # the quiet window starts again: one resend each
        app.send_task(RENDER, kwargs={"report_id": report_id})


@kaohe_task(app, REBUILD)
def rebuild(name: str) -> int:
    """Build a new generation of one projection from position 0, then switch reads to it."""
    generation = runtime().runner.rebuild(name)
    log.info("projection_rebuild_running", projection=name, generation=generation)
    return sum(p.applied for p in runtime().runner.catch_up(name))


@kaohe_task(app, RENDER)
def render(report_id: str) -> str:
    """Render a requested report (DOCX, PDF, XLSX) from the log as of its position."""
    container = runtime().container
    store = ArtifactStore(container.settings.data_dir / "artifacts")
    limit = container.settings.render_seconds
    return render_report(CommandRunner(container.store), store, report_id, limit)


@kaohe_task(app, CHECKPOINT)
def checkpoint() -> int:
    """Sign the log's head into the checkpoints folder (beat, every KAOHE_CHECKPOINT_SECONDS); nothing new
    when the newest file already holds this head, nothing at all while the log is empty."""
    try:
        signed, path = runtime().container.operations.integrity.checkpoint(unless_unchanged=True)
    except CheckpointError:
        return 0
    if path is None:
        log.info("checkpoint_unchanged", position=signed.position)
    return signed.position
