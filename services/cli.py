"""The `kaohe` command line: migrate, verify, status (more commands join as the service grows)."""

from __future__ import annotations

import sys
from typing import NoReturn

import click
from sqlalchemy.exc import OperationalError

from services.bootstrap import build
from services.logs import configure_logging, get_logger
from services.migrate import current_revision, head_revision, migrate
from services.settings import Settings, SettingsError

log = get_logger("kaohe.cli")


def fail(message: str) -> NoReturn:
    click.echo(f"kaohe: {message}", err=True)
    sys.exit(1)


def load_settings() -> Settings:
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        fail(str(exc))
    configure_logging(settings.log_format, settings.log_level)
    return settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Kaohe (考核): run a performance assessment from notice to submission.

    Settings come from KAOHE_* environment variables; by default everything lives in ./data.
    """


@main.command(name="migrate")
def migrate_command() -> None:
    """Create or upgrade the database schema (safe to run from several processes at once).

    Example: KAOHE_DATABASE_URL=postgresql://kaohe@db/kaohe kaohe migrate
    """
    container = build(load_settings())
    try:
        before, after = migrate(container.engine)
    except OperationalError as exc:
        fail(f"cannot reach the database: {exc.orig}")
    finally:
        container.close()
    click.echo(f"schema at revision {after}" + ("" if before == after else f" (was {before or 'empty'})"))


@main.command()
def verify() -> None:
    """Walk the whole event log and recompute its hash chain; exit 1 at the first bad event.

    Example: kaohe verify
    """
    from services.eventstore.verify import verify_database

    container = build(load_settings())
    try:
        result = verify_database(container.engine)
    except OperationalError as exc:
        fail(f"cannot read the event log: {exc.orig}")
    finally:
        container.close()
    if not result.ok:
        click.echo(
            f"checked {result.checked} events: FAILED at position {result.bad_position}: {result.reason}"
        )
        sys.exit(1)
    click.echo(
        f"checked {result.checked} events: the hash chain is intact (last position {result.last_position})"
    )


@main.command()
def status() -> None:
    """Show where the data lives, the schema revision and the head of the event log.

    Example: kaohe status
    """
    settings = load_settings()
    container = build(settings)
    try:
        with container.engine.connect() as conn:
            revision = current_revision(conn)
        head = container.store.head()
    except OperationalError as exc:
        fail(f"cannot reach the database: {exc.orig}")
    finally:
        container.close()
    click.echo(f"database: {container.engine.url.render_as_string(hide_password=True)}")
    click.echo(f"schema revision: {revision or 'none (run kaohe migrate)'} (latest {head_revision()})")
    when = head.recorded_at.isoformat() if head.recorded_at else "-"
    click.echo(f"event log: {head.position} events, last recorded {when}")


if __name__ == "__main__":
    main()
