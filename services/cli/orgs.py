"""`kaohe org add|list`: the organisations unit accounts belong to and campaigns enrol."""

from __future__ import annotations

import click
from sqlalchemy.exc import OperationalError

from domain.shared.errors import InvalidCommand
from domain.shared.organisations import OrganisationKind
from services.bootstrap import build
from services.cli.common import fail, load_settings


@click.group(name="org")
def org() -> None:
    """Organisations (机构): counties, city departments, co-lead bodies.

    Example: kaohe org add 汉滨区 --kind county --uscc 11610902000000000K
    """


@org.command(name="add")
@click.argument("name")
@click.option(
    "--kind", required=True, type=click.Choice([k.value for k in OrganisationKind]), help="What it is."
)
@click.option("--uscc", default=None, help="Its 统一社会信用代码 (18 characters), if known.")
def org_add(name: str, kind: str, uscc: str | None) -> None:
    """Register an organisation (recorded in the log as OrganisationRegistered).

    Example: kaohe org add 市委编办 --kind co_lead_body
    """
    container = build(load_settings())
    try:
        found = container.identity.organisations.add(name, kind, uscc, actor="kaohe-cli")
    except InvalidCommand as exc:
        fail(f"{exc.field or 'organisation'}: {exc.message}")
    except OperationalError as exc:
        fail(f"cannot reach the database (did you run kaohe migrate?): {exc.orig}")
    finally:
        container.close()
    click.echo(f"added {found.name} ({found.kind.value}) {found.id}")


@org.command(name="list")
def org_list() -> None:
    """List organisations: name, kind, 统一社会信用代码 and id.

    Example: kaohe org list
    """
    container = build(load_settings())
    try:
        for o in container.identity.organisations.list():
            click.echo(f"{o.name}\t{o.kind.value}\t{o.kind.label}\t{o.uscc or '-'}\t{o.id}")
    except OperationalError as exc:
        fail(f"cannot reach the database (did you run kaohe migrate?): {exc.orig}")
    finally:
        container.close()
