"""Command routes generated from the domain's command dataclasses: one request shape per command.

Request shapes are derived from the commands themselves (minus what the server fills in: time, actor,
role and the ids in the path), so the wire contract cannot drift from the domain. Each route still has
its own path, roles, summary, OpenAPI operation and documented errors.
"""

import dataclasses
import inspect
import typing
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, post
from litestar.exceptions import PermissionDeniedException, ValidationException
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, HeaderParameter, JSONBody

from domain.identity import Role
from services.api.auth import allow
from services.api.problems import WRITE_ERRORS
from services.commands import Actor, Aggregate, CommandResult, RequestInfo, fingerprint
from services.identity import User

SERVER_FIELDS = frozenset({"at", "actor", "role"})
IdText = Annotated[
    str, msgspec.Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", description="An id of your choosing")
]
# Who may state when something happened (recording past facts). Assessed units always act "now", so an
# appeal can never be dated back into its window.
MAY_BACKDATE = frozenset(
    {Role.DRAFTER, Role.SECTION_CHIEF, Role.DEPUTY_DIRECTOR, Role.DIRECTOR, Role.OFFICE, Role.CO_LEAD_UNIT}
)


class CommandAccepted(msgspec.Struct):
    """What every write returns: the stream it changed, its new version and the log position."""

    stream_id: str
    stream_version: int
    position: int
    id: str | None = None


@dataclasses.dataclass(frozen=True)
class Context:
    """What an ``inject`` function may look at."""

    user: User
    body: Mapping[str, Any]
    state: Any


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
    use_case: str = ""
    """The UseCases method that runs it (defaults to the aggregate's name)."""
    inject: Mapping[str, Callable[[Context], Any]] = dataclasses.field(default_factory=dict)
    """Command fields the server fills in (e.g. the working-day calendar), never read from the body."""
    extra: tuple[tuple[str, Any, Any], ...] = ()
    """Body-only fields (name, type, default) that ``inject`` functions read; not command fields."""
    new_id: str | None = None
    """A command field the server fills with a fresh id (returned as ``id``), e.g. ``submission_id``."""
    operation: str = ""
    """The OpenAPI operation id, when one command has two routes."""

    @property
    def operation_id(self) -> str:
        name = self.operation or self.command.__name__
        return name[0].lower() + name[1:]


def body_struct(route: CommandRoute) -> type[msgspec.Struct]:
    hints = typing.get_type_hints(route.command)
    chosen_id = route.key if route.creates else route.new_id
    skip = SERVER_FIELDS | set(route.path_fields) | {route.key, route.new_id} | set(route.inject)
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
    fields.extend(route.extra)
    if chosen_id and chosen_id in hints:
        fields.append((chosen_id, IdText | None, None))  # the caller may choose the new id; else we mint one
    fields.append(("at", datetime | None, None))
    return msgspec.defstruct(
        f"{route.operation_id[0].upper()}{route.operation_id[1:]}Request",
        fields,
        forbid_unknown_fields=True,
        kw_only=True,
    )


Runner = Callable[[CommandRoute, str, Any, Actor, RequestInfo], CommandResult]


def build_handler(route: CommandRoute, run: Runner) -> HTTPRouteHandler:
    body = body_struct(route)
    path_params = ([] if route.creates else [route.key]) + list(route.path_fields)

    def handler(**kwargs: Any) -> Response[CommandAccepted]:
        request: Request[User, Any, Any] = kwargs["request"]
        data = kwargs["data"]
        user = request.user
        body = msgspec.structs.asdict(data)
        chosen = body.pop(route.key if route.creates else (route.new_id or ""), None)
        extras = {name for name, _, _ in route.extra}
        fields = {k: v for k, v in body.items() if k != "at" and k not in extras}
        _check_own_unit(route, user, fields)
        context = Context(user, body, request.app.state)
        fields.update({name: make(context) for name, make in route.inject.items()})
        idempotency_key = _scoped_key(user, kwargs.get("idempotency_key"))
        new_id = chosen or (_new_id(idempotency_key) if (route.creates or route.new_id) else None)
        key = new_id if route.creates and new_id else kwargs[route.key]
        fields.update({name: kwargs[name] for name in route.path_fields})
        if route.key in {f.name for f in dataclasses.fields(route.command)}:
            fields[route.key] = key
        if route.new_id:
            fields[route.new_id] = new_id
        command = route.command(**fields, **_server_fields(route, user, data.at))
        actor = Actor(user.name, user.name, user.role.value, user.unit)
        info = RequestInfo(
            request_id=request.scope.get("state", {}).get("request_id"),
            correlation_id=request.headers.get("x-correlation-id"),
            idempotency_key=idempotency_key,
            fingerprint=fingerprint(request.method, request.url.path, msgspec.json.encode(data)),
            if_match=_if_match(kwargs.get("if_match")),
        )
        result = run(route, key, command, actor, info)
        if route.creates:
            new_id = result.stream_id.removeprefix(f"{route.aggregate.name}-")
        accepted = CommandAccepted(result.stream_id, result.stream_version, result.position, new_id)
        headers = {"ETag": f'"{result.stream_version}"'}
        if result.replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(accepted, status_code=201 if new_id else 200, headers=headers)

    params = [
        inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request),
        inspect.Parameter(
            "data", inspect.Parameter.KEYWORD_ONLY, annotation=Annotated[body, JSONBody.__metadata__[0]]
        ),
        *[
            inspect.Parameter(p, inspect.Parameter.KEYWORD_ONLY, annotation=FromPath[str])
            for p in path_params
        ],
        inspect.Parameter(
            "idempotency_key",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[
                str | None,
                HeaderParameter(
                    name="Idempotency-Key",
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
                HeaderParameter(
                    name="If-Match", description="The stream version you read (ETag); 412 if stale."
                ),
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
        status_code=201 if (route.creates or route.new_id) else 200,
    )(handler)


def _server_fields(route: CommandRoute, user: User, at: datetime | None) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(route.command)}
    when = datetime.now(UTC)
    if at is not None:
        if user.role not in MAY_BACKDATE:
            raise _field_error("at", "assessed units act at the server's time; leave out at")
        if at.tzinfo is None:
            raise _field_error("at", "give a time zone, e.g. 2023-01-13T09:00:00+08:00")
        if at > when:
            raise _field_error("at", "cannot be in the future")
        when = at
    values: dict[str, Any] = {"at": when, "actor": user.name}
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


def _new_id(idempotency_key: str | None) -> str:
    # With a key, a retried create mints the same id, so the replayed response names the same resource.
    return str(uuid.uuid5(uuid.NAMESPACE_URL, idempotency_key)) if idempotency_key else str(uuid.uuid4())


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
