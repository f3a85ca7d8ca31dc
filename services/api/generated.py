"""Command routes generated from the domain's command dataclasses: one request shape per command.

Request shapes are derived from the commands themselves (minus what the server fills in: time, actor,
role and the ids in the path), so the wire contract cannot drift from the domain. Each route still has
its own path, roles, summary, OpenAPI operation and documented errors.
"""

import dataclasses
import inspect
import typing
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, post
from litestar.exceptions import PermissionDeniedException, ValidationException
from litestar.handlers import HTTPRouteHandler
from litestar.params import Parameter

from domain.identity import Role
from services.api.auth import allow
from services.api.problems import WRITE_ERRORS
from services.commands import Actor, Aggregate, CommandResult, RequestInfo, fingerprint
from services.identity import User

SERVER_FIELDS = frozenset({"at", "actor", "role"})
# Who may state when something happened (recording past facts); everyone else acts "now".
MAY_BACKDATE = frozenset({Role.DRAFTER, Role.SECTION_CHIEF, Role.DEPUTY_DIRECTOR, Role.DIRECTOR, Role.OFFICE})


class CommandAccepted(msgspec.Struct):
    """What every write returns: the stream it changed, its new version and the log position."""

    stream_id: str
    stream_version: int
    position: int
    id: str | None = None


@dataclasses.dataclass(frozen=True)
class CommandRoute:
    path: str
    command: type[Any]
    aggregate: Aggregate[Any]
    roles: tuple[Role, ...]
    summary: str
    key: str
    """The path parameter naming the stream (e.g. ``campaign_id``); for creates, the new id's name."""
    creates: bool = False
    path_fields: tuple[str, ...] = ()
    """Further path parameters copied into the command (e.g. ``task_id``)."""
    own_unit_field: str | None = None
    """A body field that assessed and co-lead units may only set to their own unit."""
    tags: tuple[str, ...] = ()

    @property
    def operation_id(self) -> str:
        name = self.command.__name__
        return name[0].lower() + name[1:]


def body_struct(route: CommandRoute) -> type[msgspec.Struct]:
    hints = typing.get_type_hints(route.command)
    skip = SERVER_FIELDS | set(route.path_fields) | {route.key}
    fields: list[Any] = []
    for f in dataclasses.fields(route.command):
        if f.name in skip:
            continue
        if f.default is not dataclasses.MISSING:
            fields.append((f.name, hints[f.name], f.default))
        elif f.default_factory is not dataclasses.MISSING:
            fields.append((f.name, hints[f.name], msgspec.field(default_factory=f.default_factory)))
        else:
            fields.append((f.name, hints[f.name]))
    fields.append(("at", datetime | None, None))
    return msgspec.defstruct(
        f"{route.command.__name__}Request", fields, forbid_unknown_fields=True, kw_only=True
    )


Runner = Callable[[CommandRoute, str, Any, Actor, RequestInfo], CommandResult]


def build_handler(route: CommandRoute, run: Runner) -> HTTPRouteHandler:
    body = body_struct(route)
    path_params = ([] if route.creates else [route.key]) + list(route.path_fields)

    def handler(**kwargs: Any) -> Response[CommandAccepted]:
        request: Request[User, Any, Any] = kwargs["request"]
        data = kwargs["data"]
        user = request.user
        fields = {k: v for k, v in msgspec.structs.asdict(data).items() if k != "at"}
        _check_own_unit(route, user, fields)
        key = str(uuid.uuid4()) if route.creates else kwargs[route.key]
        fields.update({name: kwargs[name] for name in route.path_fields})
        if route.key in {f.name for f in dataclasses.fields(route.command)}:
            fields[route.key] = key
        command = route.command(**fields, **_server_fields(route, user, data.at))
        actor = Actor(user.id, user.name, user.role.value, user.unit)
        info = RequestInfo(
            request_id=request.scope.get("state", {}).get("request_id"),
            correlation_id=request.headers.get("x-correlation-id"),
            idempotency_key=_scoped_key(user, kwargs.get("idempotency_key")),
            fingerprint=fingerprint(request.method, request.url.path, msgspec.json.encode(data)),
            if_match=_if_match(kwargs.get("if_match")),
        )
        result = run(route, key, command, actor, info)
        accepted = CommandAccepted(
            result.stream_id, result.stream_version, result.position, key if route.creates else None
        )
        headers = {"ETag": f'"{result.stream_version}"'}
        if result.replayed:
            headers["Idempotent-Replayed"] = "true"
            accepted.id = result.stream_id.removeprefix(f"{route.aggregate.name}-") if route.creates else None
        return Response(accepted, status_code=201 if route.creates else 200, headers=headers)

    params = [
        inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request),
        inspect.Parameter("data", inspect.Parameter.KEYWORD_ONLY, annotation=body),
        *[inspect.Parameter(p, inspect.Parameter.KEYWORD_ONLY, annotation=str) for p in path_params],
        inspect.Parameter(
            "idempotency_key",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[
                str | None,
                Parameter(
                    header="Idempotency-Key",
                    description="Retries with the same key replay the first response.",
                ),
            ],
            default=None,
        ),
        inspect.Parameter(
            "if_match",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[
                str | None,
                Parameter(header="If-Match", description="The stream version you read (ETag); 412 if stale."),
            ],
            default=None,
        ),
    ]
    handler.__signature__ = inspect.Signature(params, return_annotation=Response[CommandAccepted])  # type: ignore[attr-defined]
    handler.__annotations__ = {p.name: p.annotation for p in params} | {"return": Response[CommandAccepted]}
    handler.__name__ = route.operation_id
    handler.__doc__ = route.summary
    return post(
        route.path,
        sync_to_thread=True,
        guards=[allow(*route.roles)],
        operation_id=route.operation_id,
        summary=route.summary,
        description=f"Allowed roles: {', '.join(r.value for r in route.roles)}.",
        tags=list(route.tags),
        responses=WRITE_ERRORS,
        status_code=201 if route.creates else 200,
    )(handler)


def _server_fields(route: CommandRoute, user: User, at: datetime | None) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(route.command)}
    when = datetime.now(UTC)
    if at is not None:
        if user.role not in MAY_BACKDATE:
            raise _field_error("at", "only the bureau's staff may state when something happened")
        if at.tzinfo is None:
            raise _field_error("at", "give a time zone, e.g. 2023-01-13T09:00:00+08:00")
        if at > when:
            raise _field_error("at", "cannot be in the future")
        when = at
    values: dict[str, Any] = {"at": when, "actor": user.id}
    if "role" in names:
        values["role"] = user.role.value
    return values


def _check_own_unit(route: CommandRoute, user: User, fields: dict[str, Any]) -> None:
    acts_for_a_unit = user.role in (Role.ASSESSED_UNIT, Role.CO_LEAD_UNIT)
    if route.own_unit_field and acts_for_a_unit and fields.get(route.own_unit_field) != user.unit:
        raise PermissionDeniedException(f"you act for {user.unit}: {route.own_unit_field} must be it")


def _field_error(field: str, message: str) -> Exception:
    return ValidationException(
        f"invalid {field}", extra=[{"key": field, "message": message, "source": "body"}]
    )


def _scoped_key(user: User, key: str | None) -> str | None:
    # Keys are per user: two officials choosing the same key never see each other's responses.
    if key is None:
        return None
    if not key.strip() or len(key) > 150:
        raise _field_error("Idempotency-Key", "1 to 150 characters")
    return f"{user.id}:{key}"


def _if_match(value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise _field_error("If-Match", 'give the stream version (the ETag of your last read), e.g. "3"')
    return int(text)
