"""`kaohe projections status|rebuild`: where each read model stands, and rebuilding one without downtime."""

from __future__ import annotations

import click
from sqlalchemy.exc import OperationalError

from services.app.operations import UnknownProjection
from services.bootstrap import build
from services.cli.common import fail, load_settings
from services.infra.dispatch import install_signals, producer, send_rebuild

HEADER = f"{'projection':<12}{'generation':>11}{'version':>9}  {'state':<10}{'position':>10}{'lag':>8}"


@click.group()
def projections() -> None:
    """Read models the workers keep (scores, overview, inbox, timeline).

    Example: kaohe projections status
    """


@projections.command(name="status")
def status_command() -> None:
    """Each projection's generations: version, state, position and lag behind the log.

    Example: kaohe projections status
    """
    container = build(load_settings())
    try:
        head, found = container.operations.projections()
    except OperationalError as exc:
        fail(f"cannot reach the database (did you run kaohe migrate?): {exc.orig}")
    finally:
        container.close()
    click.echo(f"event log head: {head}")
    click.echo(HEADER)
    for p in found:
        generation = "-" if p.generation is None else str(p.generation)
        click.echo(f"{p.name:<12}{generation:>11}{p.version:>9}  {p.state:<10}{p.position:>10}{p.lag:>8}")


@projections.command(name="rebuild")
@click.argument("name")
@click.option("--here", is_flag=True, help="Build it in this process instead of asking the workers.")
def rebuild_command(name: str, here: bool) -> None:
    """Build a new generation from position 0 beside the one serving reads, then switch over.

    Example: kaohe projections rebuild scores
    """
    settings = load_settings()
    container = build(settings)
    try:
        generation = container.operations.rebuild(name, here)
    except UnknownProjection as exc:
        fail(str(exc.args[0]))
    finally:
        container.close()
    if here:
        click.echo(f"{name}: generation {generation} built and serving reads")
        return
    try:
        install_signals()
        send_rebuild(producer(settings), name)
    except Exception as exc:
        click.echo(f"{name}: could not reach the broker ({exc.__class__.__name__}); the next sweep builds it")
    click.echo(f"{name}: generation {generation} is building; `kaohe projections status` shows progress")
