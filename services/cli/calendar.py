"""`kaohe calendar`: show the working-day calendar, declare a year's holiday notice, import a bundled year."""

from __future__ import annotations

import json
from datetime import date

import click
from sqlalchemy.exc import OperationalError

from services.app.calendar import bundled_calendar
from services.app.calendar import parse_days as parse_text_days
from services.app.errors import InvalidInput
from services.bootstrap import Container, build
from services.cli.acts import run_act
from services.cli.common import fail, load_settings
from services.identity.accounts import CLI_READER


@click.group()
def calendar() -> None:
    """The working-day calendar: which years are known and from which notice; declare a year."""


@calendar.command(name="show")
@click.argument("year", type=int, required=False)
def show(year: int | None) -> None:
    """Every known year and where its holidays come from, or one year's days.

    Example: kaohe calendar show 2027
    """
    container = _container()
    try:
        found = container.core.queries.calendar(CLI_READER, year)
    except OperationalError as exc:
        fail(f"cannot reach the database (did you run kaohe migrate?): {exc.orig}")
    finally:
        container.close()
    if year is not None and not found.years:
        fail(f"{year}年的节假日安排尚未登记（from {found.first_unknown} on no year is known）")
    for each in found.years:
        kind = "已登记" if each.declared else "内置"
        counts = f"节假日{len(each.holidays)}天  调休上班{len(each.workdays)}天"
        click.echo(f"{each.year}  {kind}  {counts}  {each.source}")
        if year is not None:
            click.echo("节假日: " + " ".join(d.isoformat() for d in each.holidays))
            click.echo("调休上班: " + " ".join(d.isoformat() for d in each.workdays))
    if year is None:
        click.echo(f"first year not known: {found.first_unknown}")


@calendar.command(name="declare")
@click.argument("year", type=int)
@click.option("--as", "user_name", required=True, metavar="USER", help="An admin or the office.")
@click.option(
    "--holidays", required=True, help="Days off: dates and ranges, e.g. 2027-01-01,2027-02-05~2027-02-11"
)
@click.option("--workdays", default="", help="Weekend days worked instead (调休), e.g. 2027-02-14,2027-02-20")
@click.option("--notice", required=True, help="The notice the days come from (its number and title).")
@click.option("--reason", default="", help="Why (e.g. a correction of an earlier declaration).")
def declare(  # noqa: PLR0917 (click options)
    year: int, user_name: str, holidays: str, workdays: str, notice: str, reason: str
) -> None:
    """Declare YEAR's holidays and 调休 workdays from the State Council's notice (recorded as an event).

    Example: kaohe calendar declare 2027 --as admin --holidays 2027-01-01,2027-02-05~2027-02-11 \\
             --workdays 2027-02-14 --notice "国务院办公厅关于2027年部分节假日安排的通知"
    """
    data = {
        "year": year,
        "holidays": [d.isoformat() for d in parse_days(holidays, "--holidays")],
        "workdays": [d.isoformat() for d in parse_days(workdays, "--workdays")],
        "notice": notice,
        "reason": reason,
    }
    _declare(user_name, data)


@calendar.command(name="import")
@click.argument("year", type=int)
@click.option("--as", "user_name", required=True, metavar="USER", help="An admin or the office.")
def import_year(year: int, user_name: str) -> None:
    """Declare YEAR from the bundled data (chinese-calendar), so it is on record like a typed notice.

    Example: kaohe calendar import 2026 --as admin
    """
    bundled = bundled_calendar()
    if not bundled.knows(year):
        fail(f"the bundled data has no {year}: declare it from the notice (kaohe calendar declare)")
    data = {
        "year": year,
        "holidays": sorted(d.isoformat() for d in bundled.holidays if d.year == year),
        "workdays": sorted(d.isoformat() for d in bundled.workdays if d.year == year),
        "notice": f"国务院办公厅关于{year}年部分节假日安排的通知",
        "reason": f"由{bundled.source(year)}导入",
    }
    _declare(user_name, data)


def parse_days(text: str, option: str) -> list[date]:
    try:
        return parse_text_days(text, option)
    except InvalidInput as exc:
        fail(exc.message)


def _declare(user_name: str, data: dict[str, object]) -> None:
    outcome = run_act(user_name, "declareYearCalendar", {}, json.dumps(data).encode())
    click.echo(f"declared {data['year']} at position {outcome.accepted.position}")


def _container() -> Container:
    return build(load_settings())
