"""The Celery app of the workers and beat: `celery -A workers.celery_app worker|beat` (or `kaohe worker`)."""

from __future__ import annotations

from celery import Celery

from services.infra.broker import CHECKPOINT, SWEEP, celery_config
from services.infra.settings import Settings
from workers import signals


def create_celery(settings: Settings) -> Celery:
    app = Celery("kaohe", include=["workers.tasks"], set_as_current=True)
    app.conf.update(celery_config(settings))
    app.conf.beat_schedule = {
        "sweep": {"task": SWEEP, "schedule": settings.sweep_seconds},
        "checkpoint": {"task": CHECKPOINT, "schedule": settings.checkpoint_seconds},
    }
    app.conf.beat_schedule_filename = str(settings.data_dir / "celerybeat-schedule")
    return app


signals.install()
app = create_celery(Settings.from_env())
