"""Audit replay on the command line: `kaohe history`, `kaohe scores`, `kaohe export`, `kaohe verify --file`.

Everything here is read from the event log itself, as of any position or time: the same answers the API's
``/history`` and ``/scores?as_of=`` give, for an auditor at a terminal. The export is the log with its
hashes, and ``verify --file`` checks one offline, with no database at all.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from sqlalchemy.exc import OperationalError

from domain.campaign_state import CampaignState
from domain.campaign_types import UnitGroup
from domain.errors import NotFound
from services.audit_text import names_of, print_run, print_table, record_of, runs
from services.bootstrap import Container, build
from services.cli_common import fail, load_settings
from services.commands import CommandRunner
from services.eventstore.export import (
    ExportError,
    export_range,
    manifest_path,
    verify_file,
    write_export,
)
from services.eventstore.model import RecordedEvent
from services.queries import AsOf, HistoryFilter, load_campaign, parse_as_of, score_rows
from services.usecases import CAMPAIGN

UNDETERMINED = "未认定"
"""A cell with no explicit result at that point (as the report's draft annexes print it)."""

AS_OF_HELP = (
    "A log position (e.g. 120) or an ISO time with zone (2023-03-07T12:00:00+08:00), matched against when "
    "the log recorded each event. Default: now."
)


@contextmanager
def _log() -> Iterator[tuple[Container, CommandRunner]]:
    container = build(load_settings())
    try:
        yield container, CommandRunner(container.store)
    except OperationalError as exc:
        fail(f"cannot read the event log (did you run kaohe migrate?): {exc.orig}")
    finally:
        container.close()


def _as_of(value: str | None, runner: CommandRunner) -> AsOf:
    try:
        point = parse_as_of(value, runner)
    except ValueError as exc:
        fail(f"--as-of {value!r}: {exc}")
    if point.position is not None and point.position < 0:
        fail(f"--as-of {value!r}: a position is 0 or more")
    return point


def _campaign(runner: CommandRunner, campaign_id: str, point: AsOf) -> CampaignState:
    try:
        state, _ = load_campaign(runner, campaign_id, point)
    except NotFound:
        fail(f"no campaign {campaign_id!r} in this log (the API lists them at GET /campaigns)")
    if state.stage is None:
        fail(f"campaign {campaign_id!r} did not exist yet at position {point.position}")
    return state


def _where(point: AsOf, runner: CommandRunner) -> str:
    head = runner.store.head().position
    if point.position is None:
        return f"now (log position {head})"
    return f"as of log position {point.position} (the log now ends at {head})"


# -- history ---------------------------------------------------------------------------------------


@click.command()
@click.argument("campaign_id", metavar="CAMPAIGN")
@click.option("--unit", help="Only events about this unit (code or name, e.g. C01 or 汉滨区).")
@click.option("--indicator", help="Only events about this indicator (code or name).")
@click.option("--actor", help="Only what this user did (user name, e.g. section-chief).")
@click.option("--as-of", "as_of", metavar="POS|TIME", help=AS_OF_HELP)
@click.option(
    "--documents/--no-documents",
    default=True,
    show_default=True,
    help="Include the approval of the campaign's letters (核稿, 审核, 签发, 文号, 报送).",
)
@click.option("--each", is_flag=True, help="One line per event: do not fold a decision taken for many units.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per event instead of text.")
def history(  # noqa: PLR0917 (click options)
    campaign_id: str,
    unit: str | None,
    indicator: str | None,
    actor: str | None,
    as_of: str | None,
    documents: bool,
    each: bool,
    as_json: bool,
) -> None:
    """Who did what, when, in which role, why and on what basis: a campaign's timeline from the log.

    Each line shows the log position, the time the step happened, the user and their role, the action in
    Chinese, and the opinion or reason and the basis it cites. With --as-of, only what had been recorded
    by then. One decision taken for many units at once (e.g. full marks for all 54) shows as one line with
    its range of positions unless --each is given.

    Example: kaohe history zuofeng-2022 --unit 汉滨区 --as-of 120
    """
    with _log() as (_container, runner):
        point = _as_of(as_of, runner)
        state = _campaign(runner, campaign_id, AsOf())
        names = names_of(state)
        wanted = HistoryFilter(
            unit=_code(unit, names["units"], "unit", campaign_id) if unit else None,
            indicator=_code(indicator, names["indicators"], "indicator", campaign_id) if indicator else None,
            actor=actor,
        )
        events = [e for e in _events(runner, campaign_id, point, documents) if wanted.matches(e)]
        where = _where(point, runner)
    if as_json:
        for event in events:
            click.echo(json.dumps(record_of(event, names), ensure_ascii=False))
        return
    title = state.notice.title if state.notice else ""
    click.echo(f"{campaign_id} {title} — history {where}")
    if not events:
        click.echo("no events match")
        return
    for run in runs(events, fold=not each):
        print_run(run, names)
    click.echo(f"{len(events)} event(s)")


def _events(runner: CommandRunner, campaign_id: str, point: AsOf, documents: bool) -> list[RecordedEvent]:
    store = runner.store
    found = store.read_stream(CAMPAIGN.stream_id(campaign_id), to_position=point.position)
    if documents:
        for stream_id in _document_streams(runner, campaign_id):
            found += store.read_stream(stream_id, to_position=point.position)
    return sorted(found, key=lambda e: e.position)


def _document_streams(runner: CommandRunner, campaign_id: str) -> list[str]:
    """The letters drafted for the campaign (the stream ids the campaign's events name)."""
    streams = []
    for event in runner.store.read_stream(CAMPAIGN.stream_id(campaign_id)):
        document_id = event.data.get("document_id")
        if event.type == "ReportingStarted" and document_id:
            stream_id = f"document-{document_id}"
            if stream_id not in streams:
                streams.append(stream_id)
    return streams


def _code(value: str, names: dict[str, str], what: str, campaign_id: str) -> str:
    if value in names:
        return value
    for code, name in names.items():
        if value == name:
            return code
    fail(f"campaign {campaign_id!r} has no {what} {value!r} (give its code or its name)")


# -- scores ----------------------------------------------------------------------------------------


@click.command()
@click.argument("campaign_id", metavar="CAMPAIGN")
@click.option("--as-of", "as_of", metavar="POS|TIME", help=AS_OF_HELP)
def scores(campaign_id: str, as_of: str | None) -> None:
    """The scoring table (赋分表) as it stood at a point in the log: one table per group of units.

    A cell with no explicit result yet shows 未认定; full marks and "no deduction" show only once decided.

    Example: kaohe scores zuofeng-2022 --as-of 60
    """
    with _log() as (_container, runner):
        point = _as_of(as_of, runner)
        state = _campaign(runner, campaign_id, point)
        rows = score_rows(state, None)
        where = _where(point, runner)
    stage = state.stage.value if state.stage else "-"
    click.echo(f"{campaign_id} — scores {where}; stage: {stage}")
    indicators = list(state.indicators.values())
    if not rows or not indicators:
        click.echo("no units or indicators registered yet")
        return
    groups: dict[UnitGroup, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["unit"].group, []).append(row)
    for number, (group, members) in enumerate(groups.items(), start=1):
        header = ["序号", group.label, *(i.short_name or i.name for i in indicators)]
        body = []
        for n, row in enumerate(members, start=1):
            cells = {c.indicator.code: c.display for c in row["cells"]}
            body.append([str(n), row["unit"].name, *(cells.get(i.code) or UNDETERMINED for i in indicators)])
        click.echo("")
        click.echo(f"附件{number}  {group.label}考核赋分表（{len(body)}个单位）")
        print_table(header, body)


# -- export and verify --file ----------------------------------------------------------------------


@click.command(name="export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option(
    "--from", "first", type=click.IntRange(min=1), metavar="POS", help="First position (default 1)."
)
@click.option(
    "--to", "last", type=click.IntRange(min=1), metavar="POS", help="Last position (default: the head)."
)
def export(file: Path, first: int | None, last: int | None) -> None:
    """Write the event log (or a range of it) as JSON Lines with every hash, plus FILE.manifest.json.

    One event per line exactly as stored (position, stream_id, version, event_id, type, schema_version,
    data, metadata, recorded_at, prev_hash, hash; payloads not upcast). The manifest records the count,
    the first and last positions, the prev_hash of the first event, the hash of the last, the file's
    sha256 and when it was made. `kaohe verify --file FILE` checks it with no database.

    Example: kaohe export --from 1 --to 500 audit-2023.jsonl
    """
    with _log() as (container, runner):
        try:
            start, end = export_range(runner.store.head().position, first, last)
        except ExportError as exc:
            fail(str(exc))
        with click.progressbar(length=end - start + 1, label="exporting", file=sys.stderr) as bar:
            try:
                manifest = write_export(container.engine, file, start, end, bar.update)
            except (ExportError, OSError) as exc:
                fail(f"cannot write {file}: {exc}")
    click.echo(
        f"exported {manifest.count} events (positions {manifest.first_position}–{manifest.last_position}) "
        f"to {file}; manifest {manifest_path(file)} (last hash {manifest.last_hash})"
    )


def verify_export_file(file: Path) -> None:
    """`kaohe verify --file FILE`: the chain of an export, offline; exit 1 naming the first bad line."""
    if not file.is_file():
        fail(f"no export file at {file}")
    try:
        with click.progressbar(length=file.stat().st_size, label="verifying", file=sys.stderr) as bar:
            result = verify_file(file, bar.update)
    except ExportError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot read {file}: {exc}")
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    if not result.ok:
        where = f"line {result.bad_line}" if result.bad_line is not None else "end of file"
        position = f" (position {result.bad_position})" if result.bad_position is not None else ""
        click.echo(f"{file}: checked {result.checked} events: FAILED at {where}{position}: {result.reason}")
        sys.exit(1)
    against = " and matches its manifest" if result.manifest is not None else ""
    click.echo(
        f"{file}: checked {result.checked} events: the hash chain is intact{against} "
        f"(last position {result.last_position})"
    )
