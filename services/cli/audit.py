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

import click
from sqlalchemy.exc import OperationalError

from domain.campaign.state import CampaignState
from domain.campaign.types import UnitGroup
from domain.shared.errors import DomainError, NotFound
from services.app.errors import AccessDenied, InvalidInput
from services.app.integrity import CheckpointError, PublicKey, SigningKeyError
from services.app.operations import ExportError, manifest_path, verify_export
from services.app.queries import Queries
from services.app.replay import AsOf, HistoryFilter
from services.app.views import ScoreLine
from services.bootstrap import Container, build
from services.cli.audit_text import echo, names_of, print_run, print_table, record_of, runs
from services.cli.common import fail, load_settings
from services.identity.accounts import CLI_READER

UNDETERMINED = "未认定"
"""A cell with no explicit result at that point (as the report's draft annexes print it)."""

AS_OF_HELP = (
    "A log position (e.g. 120) or an ISO time with zone (2023-03-07T12:00:00+08:00), matched against when "
    "the log recorded each event. Default: now."
)


@contextmanager
def _core() -> Iterator[Container]:
    container = build(load_settings())
    try:
        yield container
    except OperationalError as exc:
        fail(f"cannot read the event log (did you run kaohe migrate?): {exc.orig}")
    except (DomainError, AccessDenied) as exc:
        fail(exc.message)
    except InvalidInput as exc:
        fail(exc.message)
    finally:
        container.close()


def _as_of(value: str | None, queries: Queries) -> AsOf:
    try:
        return queries.as_of(value)
    except InvalidInput as exc:
        fail(f"--as-of {value!r}: {exc.problems[0].message}")


def _campaign(queries: Queries, campaign_id: str, point: AsOf) -> CampaignState:
    try:
        state = queries.campaign_state(CLI_READER, campaign_id, point)
    except NotFound:
        fail(f"no campaign {campaign_id!r} in this log (the API lists them at GET /campaigns)")
    if state.stage is None:
        fail(f"campaign {campaign_id!r} did not exist yet at position {point.position}")
    return state


def _where(point: AsOf, queries: Queries) -> str:
    head = queries.head()
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
    with _core() as container:
        queries = container.queries
        point = _as_of(as_of, queries)
        state = _campaign(queries, campaign_id, AsOf())
        names = names_of(state)
        wanted = HistoryFilter(
            unit=queries.resolve(CLI_READER, campaign_id, "unit", unit) if unit else None,
            indicator=queries.resolve(CLI_READER, campaign_id, "indicator", indicator) if indicator else None,
            actor=actor,
        )
        events = queries.history_events(CLI_READER, campaign_id, wanted, point, documents)
        where = _where(point, queries)
    if as_json:
        for event in events:
            echo(json.dumps(record_of(event, names), ensure_ascii=False))
        return
    title = state.notice.title if state.notice else ""
    echo(f"{campaign_id} {title} — history {where}")
    if not events:
        echo("no events match")
        return
    for run in runs(events, fold=not each):
        print_run(run, names)
    echo(f"{len(events)} event(s)")


# -- scores ----------------------------------------------------------------------------------------


@click.command()
@click.argument("campaign_id", metavar="CAMPAIGN")
@click.option("--as-of", "as_of", metavar="POS|TIME", help=AS_OF_HELP)
def scores(campaign_id: str, as_of: str | None) -> None:
    """The scoring table (赋分表) as it stood at a point in the log: one table per group of units.

    A cell with no explicit result yet shows 未认定; full marks and "no deduction" show only once decided.

    Example: kaohe scores zuofeng-2022 --as-of 60
    """
    with _core() as container:
        queries = container.queries
        point = _as_of(as_of, queries)
        _campaign(queries, campaign_id, point)
        table, fresh = queries.score_table(CLI_READER, campaign_id, point)
        where = _where(point, queries)
    source = "the log" if fresh is None or fresh.source == "log" else "the scores read model"
    echo(f"{campaign_id} — scores {where}, from {source}; stage: {table.stage or '-'}")
    if not table.rows or not table.indicators:
        echo("no units or indicators registered yet")
        return
    groups: dict[str, list[ScoreLine]] = {}
    for row in table.rows:
        groups.setdefault(row.group, []).append(row)
    for number, (group, members) in enumerate(groups.items(), start=1):
        label = UnitGroup(group).label
        header = ["序号", label, *(i.label or i.name for i in table.indicators)]
        body = []
        for n, row in enumerate(members, start=1):
            cells = {c.indicator: c.display for c in row.cells}
            body.append(
                [str(n), row.unit_name, *(cells.get(i.code) or UNDETERMINED for i in table.indicators)]
            )
        echo("")
        echo(f"附件{number}  {label}考核赋分表（{len(body)}个单位）")
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
    sha256, when it was made and a signed checkpoint of the log's head (also written to the checkpoints
    folder), and is signed with the checkpoint key. `kaohe verify --file FILE --public-key KEY` checks it
    with no database.

    Example: kaohe export --from 1 --to 500 audit-2023.jsonl
    """
    with _core() as container:
        operations = container.operations
        try:
            count = operations.export_size(first, last)
        except ExportError as exc:
            fail(str(exc))
        with click.progressbar(length=count, label="exporting", file=sys.stderr) as bar:
            try:
                manifest, checkpoint = operations.export(file, first, last, bar.update)
            except (ExportError, CheckpointError, SigningKeyError, OSError) as exc:
                fail(f"cannot write {file}: {exc}")
    signer = manifest.signature["key_id"] if manifest.signature else "-"
    echo(
        f"exported {manifest.count} events (positions {manifest.first_position}–{manifest.last_position}) "
        f"to {file}; manifest {manifest_path(file)} (last hash {manifest.last_hash}) signed by {signer}; "
        f"checkpoint {checkpoint}"
    )


def verify_export_file(file: Path, keys: dict[str, PublicKey], unsigned_ok: bool) -> None:
    """`kaohe verify --file FILE`: the manifest's signature and the chain of an export, offline; exit 1
    naming the first bad line."""
    if not file.is_file():
        fail(f"no export file at {file}")
    try:
        with click.progressbar(length=file.stat().st_size, label="verifying", file=sys.stderr) as bar:
            result = verify_export(file, bar.update, keys, unsigned_ok)
    except ExportError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot read {file}: {exc}")
    for note in result.notes:
        echo(f"note: {note}", err=True)
    if not result.ok:
        if result.bad_line is None and result.bad_position is None and result.checked == 0:
            click.echo(f"{file}: FAILED: {result.reason}")
            sys.exit(1)
        where = f"line {result.bad_line}" if result.bad_line is not None else "end of file"
        position = f" (position {result.bad_position})" if result.bad_position is not None else ""
        echo(f"{file}: checked {result.checked} events: FAILED at {where}{position}: {result.reason}")
        sys.exit(1)
    against = " and matches its manifest" if result.manifest is not None else ""
    if result.signed_by is not None:
        against = f" and matches its manifest, signed by {result.signed_by}"
    echo(
        f"{file}: checked {result.checked} events: the hash chain is intact{against} "
        f"(last position {result.last_position})"
    )
