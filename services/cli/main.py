"""The `kaohe` command line: migrate, verify, status, users, tokens, projections, and running the service."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy.exc import OperationalError

from domain.shared.identity import Role
from services.bootstrap import build
from services.cli.acts import act
from services.cli.audit import export, history, scores, verify_export_file
from services.cli.audit_text import clean
from services.cli.calendar import calendar
from services.cli.common import fail, load_settings
from services.cli.database import db, grant
from services.cli.integrity import PUBLIC_KEY_HELP, checkpoint, load_keys, verify_checkpoints
from services.cli.orgs import org
from services.cli.projections import projections
from services.cli.run import api, beat, serve, worker
from services.demo.cli import demo
from services.identity.accounts import OPERATOR_PREFIX, Identity, IdentityError, User
from services.infra.db import make_engine
from services.infra.logs import get_logger
from services.infra.migrate import current_revision, head_revision, migrate

log = get_logger("kaohe.cli")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Kaohe (考核): run a performance assessment from notice to submission.

    Settings come from KAOHE_* environment variables; by default everything lives in ./data.
    """


@main.command(name="migrate")
@click.option(
    "--grant-app-role",
    "app_role",
    is_flag=True,
    help="Then grant the user of KAOHE_DATABASE_URL what the application needs (kaohe db grant-app-role).",
)
def migrate_command(app_role: bool) -> None:
    """Create or upgrade the database schema (safe to run from several processes at once).

    Connects as the schema owner: KAOHE_MIGRATE_DATABASE_URL when set, else KAOHE_DATABASE_URL.

    \b
    Example: KAOHE_DATABASE_URL=postgresql://kaohe@db/kaohe kaohe migrate
             KAOHE_MIGRATE_DATABASE_URL=postgresql://kaohe:…@db/kaohe \\
             KAOHE_DATABASE_URL=postgresql://kaohe_app:…@db/kaohe kaohe migrate --grant-app-role
    """
    settings = load_settings()
    engine = make_engine(settings.owner_database_url, pool_size=1)
    try:
        before, after = migrate(engine)
    except OperationalError as exc:
        fail(f"cannot reach the database: {exc.orig}")
    finally:
        engine.dispose()
    click.echo(f"schema at revision {after}" + ("" if before == after else f" (was {before or 'empty'})"))
    if app_role:
        grant(settings, None)


@main.command()
@click.option(
    "--file",
    "export_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Check an export (kaohe export) offline instead of the database; names the first bad line.",
)
@click.option(
    "--checkpoint",
    "checkpoints",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A signed checkpoint file (repeatable): after the chain, check that the log still holds it.",
)
@click.option(
    "--public-key",
    "key_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help=PUBLIC_KEY_HELP,
)
@click.option(
    "--unsigned-ok",
    is_flag=True,
    help="With --file: accept an export with no manifest, an unsigned one, or one signed by a key not given.",
)
def verify(
    export_file: Path | None, checkpoints: tuple[Path, ...], key_files: tuple[Path, ...], unsigned_ok: bool
) -> None:
    """Walk the whole event log and recompute its hash chain; exit 1 at the first bad event.

    The chain alone cannot see a history rewritten and re-hashed by someone with database access, or a
    tail cut off with the head row moved back: signed checkpoints (kept off the machine) can.

    \b
    Example: kaohe verify                       (the database)
             kaohe verify --checkpoint cp/000000000120-20260301T080000Z.json --public-key kaohe.pub
             kaohe verify --checkpoint a.json --checkpoint b.json    (each must still hold)
             kaohe verify --file audit.jsonl --public-key kaohe.pub  (an export, offline: no database)
    """
    if export_file is not None:
        if checkpoints:
            fail("--checkpoint checks the database; give it without --file")
        verify_export_file(export_file, load_keys(key_files), unsigned_ok)
        return
    if unsigned_ok:
        fail("--unsigned-ok applies to --file only")
    if checkpoints:
        verify_checkpoints(checkpoints, key_files)
        return
    settings = load_settings()
    container = build(settings)
    try:
        result = container.operations.verify_log()
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
    newest = max(settings.checkpoints.glob("[0-9]*.json"), default=None)
    if newest is not None:
        click.echo(
            "note: the chain agrees with itself, which a re-hashed history would too; to show the log is "
            f"what was signed: kaohe verify --checkpoint {newest} (better: a copy kept off this machine)",
            err=True,
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


@main.group()
def users() -> None:
    """Manage the people who use Kaohe and their roles.

    Example: echo 'Zhang-drafts-2026' | kaohe users add zhang --role drafter --password-stdin
    """


def operator() -> str:
    """Who runs the command line, as recorded in the log: ``cli:<the operating-system user>``."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return OPERATOR_PREFIX + clean(name)[:50]


def _read_password(password_stdin: bool) -> str:
    if not password_stdin:
        fail("give the password on standard input with --password-stdin")
    return sys.stdin.readline().rstrip("\n")


@users.command(name="add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]), help="What the user does.")
@click.option(
    "--org",
    "organisation",
    default=None,
    help="The organisation a co-lead or assessed unit account belongs to: its id, name or 统一社会信用代码.",
)
@click.option("--unit", default=None, help="Same as --org, by the organisation's name.")
@click.option("--display-name", default=None, help="姓名: the name officials know the user by.")
@click.option("--title", default=None, help="职务: the user's post, e.g. 科长.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_add(  # noqa: PLR0917
    name: str,
    role: str,
    organisation: str | None,
    unit: str | None,
    display_name: str | None,
    title: str | None,
    password_stdin: bool,
) -> None:
    """Add a user with a role (and, for unit accounts, the registered organisation they belong to).

    The password has at least 10 characters, is not a common one and is not the user name.

    Example: echo 'Hanbin-pass-26' | kaohe users add li --role assessed_unit --org 汉滨区 --password-stdin
    """
    password = _read_password(password_stdin)
    with _identity() as identity:
        try:
            user = identity.add_user(
                name, role, password, unit, actor=operator(), organisation=organisation,
                display_name=display_name, title=title,
            )  # fmt: skip
        except IdentityError as exc:
            fail(f"{exc.field}: {exc.message}")
    click.echo(clean(f"added {user.name} ({user.role.value}{', ' + user.unit if user.unit else ''})"))


@users.command(name="list")
def users_list() -> None:
    """List users with their roles, units, 姓名, 职务 and whether they are disabled.

    Example: kaohe users list
    """
    with _identity() as identity:
        for user in identity.list_users():
            fields = [user.name, user.role.value, user.role.label, user.unit or "-"]
            fields += [user.display_name or "-", user.title or "-", "disabled" if user.disabled else "active"]
            click.echo("\t".join(map(clean, fields)))


@users.command(name="profile")
@click.argument("name")
@click.option("--display-name", default=None, help="姓名 (empty to clear).")
@click.option("--title", default=None, help="职务 (empty to clear).")
def users_profile(name: str, display_name: str | None, title: str | None) -> None:
    """Set a user's 姓名 and 职务 (an option left out keeps its value).

    Example: kaohe users profile section-chief --display-name 王建国 --title 科长
    """
    with _identity() as identity:
        user = _find(identity, name)
        try:
            identity.set_profile(
                user,
                user.display_name if display_name is None else display_name,
                user.title if title is None else title,
                actor=operator(),
            )
        except IdentityError as exc:
            fail(f"{exc.field}: {exc.message}")
    click.echo(f"updated {name}")


@users.command(name="disable")
@click.argument("name")
def users_disable(name: str) -> None:
    """Disable a user: no sign-in; their tokens are revoked and their page sessions end at once.

    Example: kaohe users disable zhang
    """
    with _identity() as identity:
        identity.disable(_find(identity, name), actor=operator())
    click.echo(f"disabled {name}: tokens revoked, page sessions ended")


@users.command(name="enable")
@click.argument("name")
def users_enable(name: str) -> None:
    """Let a disabled user sign in again (old tokens stay revoked: issue a new one).

    Example: kaohe users enable zhang
    """
    with _identity() as identity:
        identity.enable(_find(identity, name), actor=operator())
    click.echo(f"enabled {name}")


@users.command(name="password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
def users_password(name: str, password_stdin: bool) -> None:
    """Reset a user's password; their tokens are revoked and their page sessions end.

    Example: echo 'Another-long-passphrase' | kaohe users password zhang --password-stdin
    """
    password = _read_password(password_stdin)
    with _identity() as identity:
        try:
            identity.reset_password(_find(identity, name), password, actor=operator())
        except IdentityError as exc:
            fail(f"{exc.field}: {exc.message}")
    click.echo(f"password of {name} reset: tokens revoked, page sessions ended")


def _find(identity: Identity, name: str) -> User:
    return identity.find_user(name) or fail(clean(f"no user named {name!r} (see kaohe users list)"))


class _IssueByDefault(click.Group):
    """`kaohe token NAME` is short for `kaohe token issue NAME`."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["issue", *args]
        return super().resolve_command(ctx, args)


@main.group(cls=_IssueByDefault)
def token() -> None:
    """Issue or revoke bearer tokens for the API.

    Example: kaohe token zhang          (prints a new token)
             kaohe token revoke zhang   (revokes all of zhang's tokens)
    """


@token.command(name="issue")
@click.argument("name")
@click.option("--days", default=30, show_default=True, help="How long the token lives.")
def token_issue(name: str, days: int) -> None:
    """Print a new bearer token for a user (shown once, stored only as a hash).

    Example: kaohe token zhang --days 7
    """
    with _identity() as identity:
        user = _find(identity, name)
        try:
            issued = identity.issue_token(user, days, actor=operator())
        except IdentityError as exc:
            fail(f"{exc.field}: {exc.message}")
    click.echo(issued.token)


@token.command(name="revoke")
@click.argument("name")
def token_revoke(name: str) -> None:
    """Revoke every live token of a user.

    Example: kaohe token revoke zhang
    """
    with _identity() as identity:
        count = identity.revoke_tokens(_find(identity, name), actor=operator())
    click.echo(f"revoked {count} token(s) of {name}; their page sessions ended")


@contextmanager
def _identity() -> Iterator[Identity]:
    container = build(load_settings())
    try:
        yield container.identity
    except OperationalError as exc:
        fail(f"cannot reach the database (did you run kaohe migrate?): {exc.orig}")
    finally:
        container.close()


_COMMANDS = (
    act,
    projections,
    serve,
    api,
    worker,
    beat,
    history,
    scores,
    export,
    demo,
    calendar,
    checkpoint,
    db,
    org,
)
for command in _COMMANDS:
    main.add_command(command)
main.add_command(users, name="user")  # `kaohe user add …` reads as naturally as `kaohe users add …`

if __name__ == "__main__":
    main()
