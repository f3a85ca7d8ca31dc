"""`kaohe act`: any act of the core, run on the server as a named user (the API's and pages' rules)."""

from __future__ import annotations

import json
import uuid

import click
from sqlalchemy.exc import OperationalError

from services.app.acts import ACT_LIST
from services.app.core import Call, Outcome
from services.app.errors import REFUSED
from services.bootstrap import build
from services.cli.common import fail, load_settings


@click.command(name="act")
@click.argument("name", required=False)
@click.option("--as", "user_name", metavar="USER", help="The user who acts (their role and unit apply).")
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="FIELD=VALUE",
    help="What it acts on, e.g. campaign_id=zuofeng-2022.",
)
@click.option(
    "--data", default="{}", show_default=True, help="The act's input as JSON (the API's request body)."
)
@click.option("--idempotency-key", help="Retrying with the same key replays the first answer.")
@click.option("--if-match", help="The stream version you read; refused if it has moved on.")
@click.option("--list", "listing", is_flag=True, help="List every act with who may do it.")
def act(  # noqa: PLR0917 (click options)
    name: str | None,
    user_name: str | None,
    targets: tuple[str, ...],
    data: str,
    idempotency_key: str | None,
    if_match: str | None,
    listing: bool,
) -> None:
    """Run one act as USER and print what was recorded (stream, version, position, new id) as JSON.

    A refusal prints its code and reason and exits 1, leaving the log unchanged. Recorded events name USER as
    the actor and carry a request id beginning with "cli-".

    Example: kaohe act confirmNoDeduction --as section-chief --target campaign_id=zuofeng-2022 \\
             --data '{"unit": "C01", "indicator": "yingshang-2", "basis": "专项整治台账"}'
    """
    if listing or not name:
        for a in ACT_LIST:
            click.echo(f"{a.name:<22}{a.summary}（{', '.join(r.label for r in a.roles)}）")
        return
    if not user_name:
        fail("say who acts: --as USER")
    target = {}
    for item in targets:
        key, sep, value = item.partition("=")
        if not sep or not key:
            fail(f"--target {item!r}: give FIELD=VALUE")
        target[key] = value
    try:
        body = json.loads(data)
    except json.JSONDecodeError as exc:
        fail(f"--data is not JSON: {exc}")
    if not isinstance(body, dict):
        fail("--data must be a JSON object")
    outcome = run_act(user_name, name, target, data.encode(), idempotency_key, if_match)
    accepted = outcome.accepted
    answer = {"stream_id": accepted.stream_id, "stream_version": accepted.stream_version,
              "position": accepted.position, "id": accepted.id, "replayed": outcome.replayed}  # fmt: skip
    click.echo(json.dumps(answer, ensure_ascii=False))


def run_act(  # noqa: PLR0917
    user_name: str,
    name: str,
    target: dict[str, str],
    raw: bytes,
    idempotency_key: str | None = None,
    if_match: str | None = None,
) -> Outcome:
    """Run the act ``name`` as ``user_name`` with its JSON input ``raw``; any refusal ends the command
    with its code and reason (exit 1), leaving the log unchanged."""
    container = build(load_settings())
    try:
        user = container.identity.find_user(user_name) or fail(
            f"no user named {user_name!r} (see kaohe users list)"
        )
        call = Call(request_id=f"cli-{uuid.uuid4()}", idempotency_key=idempotency_key, if_match=if_match)
        core = container.core
        return core.execute(user, name, target, core.decode_input(name, raw), call)
    except LookupError:
        fail(f"no act named {name!r} (kaohe act --list)")
    except REFUSED as exc:
        code = getattr(exc, "code", exc.__class__.__name__)
        fail(f"refused ({code}): {getattr(exc, 'message', str(exc))}")
    except OperationalError as exc:
        fail(f"cannot reach the database (did you run kaohe migrate?): {exc.orig}")
    finally:
        container.close()
