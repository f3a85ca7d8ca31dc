"""`kaohe demo`: the click command, its phases and what it prints."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy.exc import OperationalError

from domain.shared.errors import NotFound
from services.app.queries import Queries
from services.bootstrap import build
from services.cli.audit_text import pad
from services.cli.common import fail, load_settings
from services.demo import report, steps
from services.demo.client import Client, DemoError
from services.demo.server import local_server
from services.demo.tables import print_tables
from services.demo.users import DEMO_PASSWORD, OFFICIALS, Official, tokens_from_api, tokens_from_identity
from services.identity.accounts import CLI_READER, Identity
from services.infra.migrate import migrate
from services.infra.settings import Settings
from services.seed import scenario

T = TypeVar("T")
SERVE_LOG = "demo-serve.log"


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-report"),
    show_default=True,
    help="Where the DOCX, PDF and XLSX go.",
)
@click.option(
    "--data",
    type=click.Path(file_okay=False, path_type=Path),
    help="The data folder to run in (default: KAOHE_DATA_DIR, else ./data). The demo runs once per folder.",
)
@click.option("--url", envvar="KAOHE_DEMO_URL", help="Use this running server instead of starting one.")
@click.option(
    "--admin-token",
    envvar="KAOHE_DEMO_ADMIN_TOKEN",
    help="With --url: an administrator's token, to create the officials through the API (otherwise they "
    "are created in KAOHE_DATABASE_URL, which must then be the server's database).",
)
@click.option("--timeout", default=300.0, show_default=True, help="Seconds to wait for the report.")
def demo(out: Path, data: Path | None, url: str | None, admin_token: str | None, timeout: float) -> None:
    """Run the model letter's assessment from 通知 to 报送 through the HTTP API, then fetch its report.

    Six officials (经办人, 科室负责人, 分管领导, 主要领导, 办公室, and 市委编办's liaison) each do their
    own steps with the dates and figures of the 2022 作风建设专项考核: the notice, 54 units and 2
    indicators, the provincial data and its review, full marks and "no deduction" for every unit after
    consulting 市委编办, 公示, then the letter drafted, checked, reviewed and signed by different people,
    numbered 安行审函〔2023〕7号, dated 2023-03-07 and sent to 市作风办. A worker renders the letter; the
    DOCX, PDF and XLSX land in --out, and the two scoring tables (13 and 41 rows) are printed.

    Without --url it starts `kaohe serve` (API, worker, beat) on a free local port for the data folder and
    stops it at the end; KAOHE_DATABASE_URL and KAOHE_BROKER_URL are honoured. A data folder (or server)
    that already holds the demo's campaign is refused: the run is never duplicated.

    Examples: kaohe demo --data /tmp/kaohe-demo --out /tmp/kaohe-demo/report

              KAOHE_DEMO_ADMIN_TOKEN=... kaohe demo --url http://localhost:8000
    """
    if data is not None:
        os.environ["KAOHE_DATA_DIR"] = str(data)
    settings = load_settings()
    run_id = uuid.uuid4().hex[:8]
    try:
        if url is None:
            _embedded(settings, out, timeout, run_id)
        else:
            _remote(settings, url, admin_token, out, timeout, run_id)
    except DemoError as exc:
        fail(str(exc))
    except OperationalError as exc:
        fail(f"cannot reach the database: {exc.orig}")
    except KeyboardInterrupt:
        fail("interrupted: what was sent is recorded; a new run needs a fresh data folder (--data DIR)")


def _embedded(settings: Settings, out: Path, timeout: float, run_id: str) -> None:
    container = build(settings)
    try:
        migrate(container.engine)
        _refuse_if_run(container.queries, f"the data folder {settings.data_dir}")
        tokens = _officials(lambda tick: tokens_from_identity(container.identity, tick))
    finally:
        container.close()
    click.echo(f"starting the API, a worker and beat (kaohe serve) on {settings.data_dir} …")
    with local_server(settings, settings.data_dir / SERVE_LOG) as base:
        click.echo(f"server ready at {base} (its log: {settings.data_dir / SERVE_LOG})")
        with Client(base, run_id) as client:
            client.tokens = tokens
            written = _drive(client, out, timeout)
    click.echo("server stopped")
    _finish(written, out)
    _logins(settings)


def _remote(  # noqa: PLR0917
    settings: Settings, url: str, admin_token: str | None, out: Path, timeout: float, run_id: str
) -> None:
    database_given = bool(os.environ.get("KAOHE_DATABASE_URL"))
    with Client(url, run_id) as client:
        client.request("GET", "/ready", None)
        if admin_token:
            # Before the officials sign in: on a server that already ran the demo their passwords differ.
            existing = client.request(
                "GET", f"/campaigns/{steps.CAMPAIGN_ID}", None, token=admin_token, expect=(200, 403, 404)
            )
            if existing.status_code == 200:
                stage = existing.json().get("stage") or "?"
                raise DemoError(_refusal(f"the server at {client.base_url}", stage))
            tokens = _officials(lambda tick: tokens_from_api(client, admin_token, tick))
        elif database_given:
            tokens = _with_identity(settings, lambda identity: _officials(
                lambda tick: tokens_from_identity(identity, tick)))  # fmt: skip
        else:
            raise DemoError(
                "with --url, give an administrator's token (--admin-token or KAOHE_DEMO_ADMIN_TOKEN), "
                "or KAOHE_DATABASE_URL naming the server's database"
            )
        client.tokens = tokens
        written = _drive(client, out, timeout)
    _finish(written, out)


def _with_identity(settings: Settings, use: Callable[[Identity], T]) -> T:
    container = build(settings)
    try:
        return use(container.identity)
    finally:
        container.close()


def _officials(make: Callable[[Callable[[Official], None]], dict[str, str]]) -> dict[str, str]:
    with _bar(len(OFFICIALS), "准备  officials and tokens") as bar:
        return make(lambda _official: bar.update(1))


def _refuse_if_run(queries: Queries, where: str) -> None:
    try:
        state = queries.campaign_state(CLI_READER, steps.CAMPAIGN_ID)
    except NotFound:
        return
    stage = state.stage.value if state.stage else "?"
    raise DemoError(_refusal(where, stage))


def _refusal(where: str, stage: str) -> str:
    return (
        f"{where} already holds the demo's campaign {steps.CAMPAIGN_ID} (stage {stage}); running it again "
        "would duplicate it. Use a fresh folder (kaohe demo --data DIR), or look at this one with "
        f"kaohe history {steps.CAMPAIGN_ID}"
    )


def _drive(client: Client, out: Path, timeout: float) -> list[report.Written]:
    existing = client.request("GET", f"/campaigns/{steps.CAMPAIGN_ID}", scenario.DRAFTER, expect=(200, 404))
    if existing.status_code == 200:
        raise DemoError(_refusal(f"the server at {client.base_url}", existing.json().get("stage") or "?"))
    opened = client.request(
        "POST", "/registers", scenario.OFFICE, steps.register_body(), expect=(200, 201, 409)
    )
    if opened.status_code == 409:
        raise DemoError(
            f"the {steps.REGISTER_YEAR} {steps.REGISTER_CODE} register is already open here, so the letter "
            f"could not be numbered {scenario.LETTER_NUMBER}; use a fresh data folder (--data DIR)"
        )
    _run_phase("考核  通知 → 公示", steps.campaign_steps(), client)
    _run_phase("公文  拟稿 → 报送", steps.letter_steps(steps.letter_hash), client)
    outcome = steps.check_outcome(client)
    click.echo(
        f"{outcome.number} signed on {outcome.signed_on.isoformat()} and sent to {outcome.dispatched_to}; "
        f"approval: {' → '.join(outcome.signers)}"
    )
    out.mkdir(parents=True, exist_ok=True)
    return _report(client, out, timeout)


def _finish(written: list[report.Written], out: Path) -> None:
    """The two scoring tables as the XLSX holds them, then where the files are."""
    xlsx = next(w.path for w in written if w.format == "xlsx")
    print_tables(xlsx)
    click.echo("")
    click.echo(f"files ({out.resolve()}):")
    for w in written:
        click.echo(f"  {pad(w.path.name, 40)} {w.size / 1024:>8.1f} KB  sha256 {w.sha256}")
    click.echo(
        f"next: kaohe history {steps.CAMPAIGN_ID} · kaohe scores {steps.CAMPAIGN_ID} --as-of POS · "
        "kaohe export log.jsonl && kaohe verify --file log.jsonl"
    )


def _logins(settings: Settings) -> None:
    """Where to sign in to the pages as the demo's officials (the password is in a 0600 file)."""
    logins = settings.data_dir / "demo-logins.txt"
    names = " ".join(o.name for o in OFFICIALS)
    logins.write_text(f"users: {names}\npassword: {DEMO_PASSWORD}\n", encoding="utf-8")
    logins.chmod(0o600)
    click.echo(
        f"pages: KAOHE_DATA_DIR={settings.data_dir} kaohe serve, then http://127.0.0.1:8000/ui/ — "
        f"sign in as any of {names}; the password is in {logins}"
    )


def _run_phase(label: str, todo: Sequence[steps.Step], client: Client) -> None:
    with _bar(len(todo), label, items=todo) as bar:
        for step in bar:
            try:
                step.run(client)
            except DemoError as exc:
                raise DemoError(f"{label.split(maxsplit=1)[0]} · {step.label} ({step.user}): {exc}") from None


def _report(client: Client, out: Path, timeout: float) -> list[report.Written]:
    if not report.has_report_api(client):
        raise DemoError(
            f"the server at {client.base_url} has no report API ({report.REPORTS_PATH}): upgrade it"
        )
    with _bar(100, "报告  rendering (worker)") as bar:
        report_id, files = report.request_report(client, steps.CAMPAIGN_ID, bar.update, timeout)
    with _bar(len(files), "下载  download") as bar:
        written = []
        for file in files:
            written.append(report.download(client, report_id, file, out))
            bar.update(1)
    return written


@contextmanager
def _bar(length: int, label: str, items: Sequence[Any] | None = None) -> Iterator[Any]:
    show = (lambda s: s.label if s is not None else None) if items is not None else None
    with click.progressbar(
        items if items is not None else range(length),
        length=length,
        label=label,
        item_show_func=show,
        show_pos=True,
    ) as bar:
        yield bar
