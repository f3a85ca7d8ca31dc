"""Running the service: `kaohe serve` (everything, embedded), or `kaohe api`, `kaohe worker`, `kaohe beat`."""

from __future__ import annotations

import os
import sys

import click
from sqlalchemy.exc import OperationalError

from services.cli.common import fail, load_settings
from services.infra.broker import QUEUES
from services.infra.db import make_engine
from services.infra.migrate import migrate
from services.infra.settings import Settings
from services.infra.supervise import Supervisor

CELERY_APP = "workers.celery_app"  # by name: services never imports workers
POOLS = ("threads", "prefork", "solo")
MAX_TASKS_PER_CHILD = 50
"""A prefork pool process is replaced after this many tasks (whatever a render left behind goes with it)."""
SERVE_STATE_FILE = "serve-state.json"  # the supervisor's children, for the API's /metrics and /ready


def worker_argv(pool: str, concurrency: int, level: str, queues: str = "all") -> list[str]:
    argv = [
        sys.executable, "-m", "celery", "-A", CELERY_APP, "worker", "--queues", ",".join(QUEUES[queues]),
        "--pool", pool, "--concurrency", str(concurrency), "--without-gossip", "--without-mingle",
        "--loglevel", level, "--hostname", f"kaohe-{queues}@%h",
    ]  # fmt: skip
    if pool == "prefork":
        argv += ["--max-tasks-per-child", str(MAX_TASKS_PER_CHILD)]
    return argv


def beat_argv(settings: Settings, level: str) -> list[str]:
    schedule = str(settings.data_dir / "celerybeat-schedule")
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        CELERY_APP,
        "beat",
        "--schedule",
        schedule,
        "--loglevel",
        level,
    ]


def _migrate(settings: Settings) -> None:
    engine = make_engine(settings.owner_database_url, pool_size=1)
    try:
        migrate(engine)
    except OperationalError as exc:
        fail(f"cannot reach the database: {exc.orig}")
    finally:
        engine.dispose()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """API, worker and beat together (embedded defaults: SQLite and a SQLite broker file in ./data).

    Renders run in their own worker (prefork, one at a time, stopped at KAOHE_RENDER_SECONDS), so a
    report never waits behind the read models, nor holds them back.

    Migrates first. A process that dies is started again (1 s, doubling up to 30 s); one that dies again
    after 5 restarts within 60 s stops everything (exit 1). Ctrl-C or SIGTERM stops all three; none is
    left behind.

    Example: kaohe serve --port 8000
    """
    settings = load_settings()
    _migrate(settings)
    me = [sys.executable, "-m", "services.cli.main"]
    supervisor = Supervisor(
        {
            "api": [*me, "api", "--host", host, "--port", str(port)],
            "worker": [*me, "worker", "--queues", "projections"],
            "renderer": [*me, "worker", "--queues", "reports", "--pool", "prefork", "--concurrency", "1"],
            "beat": [*me, "beat"],
        },
        env=os.environ,
        state_file=settings.data_dir / SERVE_STATE_FILE,
    )
    click.echo(f"kaohe: serving on http://{host}:{port} (data in {settings.data_dir}); Ctrl-C stops")
    code = supervisor.run()
    if supervisor.reason:
        click.echo(f"kaohe: {supervisor.reason}", err=True)
    sys.exit(code)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def api(host: str, port: int) -> None:
    """Only the HTTP API (uvicorn). Run `kaohe migrate` first.

    Example: kaohe api --host 0.0.0.0 --port 8000
    """
    import uvicorn

    load_settings()
    # log_config=None: our structlog setup (made by create_app) renders uvicorn's lines too.
    # proxy_headers=False: uvicorn would otherwise take X-Forwarded-For from any peer on 127.0.0.1. Which
    # proxies to believe is KAOHE_TRUSTED_PROXIES alone (services/web/addresses.py).
    uvicorn.run(
        "services.asgi:create_app", factory=True, host=host, port=port, log_config=None, access_log=False,
        proxy_headers=False,
    )  # fmt: skip


@click.command()
@click.option("--pool", default="threads", show_default=True, type=click.Choice(POOLS))
@click.option("--concurrency", default=2, show_default=True, type=int)
@click.option(
    "--queues",
    default="all",
    show_default=True,
    type=click.Choice(list(QUEUES)),
    help="projections: catch-ups, the sweep, rebuilds; reports: renders (prefork enforces the time limit)",
)
def worker(pool: str, concurrency: int, queues: str) -> None:
    """A Celery worker: projections catch up, the sweep, rebuilds, and report renders.

    Example: KAOHE_BROKER_URL=redis://redis:6379/0 kaohe worker --queues reports --pool prefork
    """
    settings = load_settings()
    if concurrency < 1:
        fail("--concurrency must be at least 1")
    argv = worker_argv(pool, concurrency, settings.log_level, queues)
    os.execv(argv[0], argv)


@click.command()
def beat() -> None:
    """The periodic scheduler (run exactly one): the sweep every KAOHE_SWEEP_SECONDS.

    Example: kaohe beat
    """
    settings = load_settings()
    argv = beat_argv(settings, settings.log_level)
    os.execv(argv[0], argv)
