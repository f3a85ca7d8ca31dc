"""Run a command from a page exactly as its API route would: same route, roles, use case and metadata."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from litestar import Request

from domain.identity import Role
from services.api.generated import CommandRoute, Context
from services.api.routes import ROUTES
from services.commands import Actor, CommandResult, CommandRunner, RequestInfo, fingerprint
from services.identity import User
from services.usecases import UseCases


def route(command: type[Any], suffix: str = "") -> CommandRoute:
    """The API route of a command (``suffix`` picks one when a command has two routes)."""
    for candidate in ROUTES:
        if candidate.command is command and candidate.path.endswith(suffix) and not candidate.operation:
            return candidate
    raise LookupError(f"no API route for {command.__name__}")


def may(user: User | None, command: type[Any]) -> bool:
    """Whether the user's role may ask for this command at all (the route's guard says the same)."""
    return user is not None and user.role in route(command).roles


def roles_of(command: type[Any]) -> tuple[Role, ...]:
    return route(command).roles


def execute(
    request: Request[Any, Any, Any], command: type[Any], key: str, fields: dict[str, Any], form_id: str = ""
) -> CommandResult:
    """Build the command with the server's fields (time, actor, role, injected values) and run its use case.

    ``form_id`` is the rendered form's one-time id: a form sent twice (a double click, a reload) replays
    the first result instead of acting twice.
    """
    chosen = route(command)
    user: User = request.scope["user"]
    names = {f.name for f in dataclasses.fields(chosen.command)}
    body = dict(fields)
    values = {k: v for k, v in fields.items() if k in names}
    context = Context(user, body, request.app.state)
    values.update({name: make(context) for name, make in chosen.inject.items()})
    if chosen.key in names:
        values[chosen.key] = key
    values["at"] = datetime.now(UTC)
    values["actor"] = user.name
    if "role" in names:
        values["role"] = user.role.value
    idempotency_key = f"{user.id}:page:{form_id}" if form_id else None
    info = RequestInfo(
        request_id=request.scope.get("state", {}).get("request_id"),
        idempotency_key=idempotency_key,
        fingerprint=fingerprint("PAGE", chosen.path, key, json.dumps(fields, sort_keys=True, default=str)),
    )
    actor = Actor(user.name, user.name, user.role.value, user.unit)
    runner: CommandRunner = request.app.state.runner
    method = getattr(UseCases(runner), chosen.use_case or chosen.aggregate.name)
    result: CommandResult = method(key, chosen.command(**values), actor, info)
    return result


def new_form_id() -> str:
    return uuid.uuid4().hex
