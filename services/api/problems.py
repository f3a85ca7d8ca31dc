"""RFC 9457 problem+json for every error; domain and store errors map to HTTP here and only here."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from domain.shared.errors import DomainError, IllegalTransition, InvalidCommand, NotFound, PermissionDenied
from services.app.commands import StaleVersion
from services.app.errors import AccessDenied, InvalidInput
from services.eventstore.errors import ConcurrencyError, IdempotencyConflict, InvalidAppend
from services.infra.logs import get_logger

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_SECONDS = 5
log = get_logger("kaohe.api")


class FieldError(msgspec.Struct):
    field: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    """An RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str | None = None
    code: str | None = None
    errors: list[FieldError] | None = None
    current_version: int | None = None


class PreconditionFailed(HTTPException):
    status_code = 412


STATUS_TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid request",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


def problem(
    status: int, detail: str | None = None, code: str | None = None, **extra: Any
) -> Response[Problem]:
    body = Problem(
        type=f"urn:kaohe:problem:{code or status}",
        title=STATUS_TITLES.get(status, "Error"),
        status=status,
        detail=detail,
        code=code,
        **extra,
    )
    headers = {"WWW-Authenticate": 'Bearer realm="kaohe"'} if status == 401 else None
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _validation(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Problem]:
    errors = [
        FieldError(
            field=str(item.get("key") or item.get("source") or "body"), message=str(item.get("message"))
        )
        for item in (exc.extra if isinstance(exc.extra, list) else [])
        if isinstance(item, dict)
    ]
    if "malformed" in str(exc.detail).lower() or "decode" in str(exc.detail).lower():
        return problem(400, "the request body is not valid JSON", "malformed_body", errors=errors or None)
    return problem(422, "the request does not match its schema", "invalid_body", errors=errors or None)


def _http(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Problem]:
    return problem(exc.status_code, str(exc.detail) if exc.detail else None)


def _domain(_: Request[Any, Any, Any], exc: DomainError) -> Response[Problem]:
    status = 409
    if isinstance(exc, NotFound):
        status = 404
    elif isinstance(exc, PermissionDenied):
        status = 403
    elif isinstance(exc, InvalidCommand):
        status = 422
    elif isinstance(exc, IllegalTransition):
        status = 409
    errors = [FieldError(field=exc.field, message=exc.message)] if exc.field else None
    return problem(status, exc.message, exc.code, errors=errors)


def _access(_: Request[Any, Any, Any], exc: AccessDenied) -> Response[Problem]:
    return problem(403, exc.message, exc.code)


def _invalid_input(_: Request[Any, Any, Any], exc: InvalidInput) -> Response[Problem]:
    errors = [FieldError(field=p.field, message=p.message) for p in exc.problems]
    return problem(422, exc.message, exc.code, errors=errors)


def _invalid_append(_: Request[Any, Any, Any], exc: InvalidAppend) -> Response[Problem]:
    return problem(
        422, exc.message, "invalid_input", errors=[FieldError(field=exc.field, message=exc.message)]
    )


def _conflict(_: Request[Any, Any, Any], exc: ConcurrencyError) -> Response[Problem]:
    detail = f"{exc.stream_id} changed meanwhile: it is at version {exc.actual_version}; reload and retry"
    return problem(409, detail, "concurrent_change", current_version=exc.actual_version)


def _idempotency(_: Request[Any, Any, Any], exc: IdempotencyConflict) -> Response[Problem]:
    return problem(
        422, "this Idempotency-Key was already used for a different request", "idempotency_key_reused"
    )


def _stale(_: Request[Any, Any, Any], exc: StaleVersion) -> Response[Problem]:
    detail = f"If-Match says version {exc.expected}, but {exc.stream_id} is at version {exc.actual}"
    return problem(412, detail, "stale_version", current_version=exc.actual)


def _unavailable(_: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    log.warning("database_unavailable", error=f"{exc.__class__.__name__}: {str(exc)[:200]}")
    response = problem(
        503, "the database is not reachable just now; nothing was recorded, try again", "unavailable"
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _unavailable_or_unexpected(request: Request[Any, Any, Any], exc: DBAPIError) -> Response[Problem]:
    """A lost connection or a database that does not answer is 503; any other database error is ours."""
    if exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError):
        return _unavailable(request, exc)
    return _unexpected(request, exc)


def _too_deep(_: Request[Any, Any, Any], exc: RecursionError) -> Response[Problem]:
    return problem(400, "the request body nests too deeply", "malformed_body")


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    log.exception("request_failed", path=request.url.path, error=exc.__class__.__name__)
    return problem(500, "something went wrong on our side; the request id identifies it in the logs")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    ValidationException: _validation,
    NotAuthorizedException: _http,
    HTTPException: _http,
    DomainError: _domain,
    AccessDenied: _access,
    InvalidInput: _invalid_input,
    InvalidAppend: _invalid_append,
    ConcurrencyError: _conflict,
    IdempotencyConflict: _idempotency,
    StaleVersion: _stale,
    RecursionError: _too_deep,
    DBAPIError: _unavailable_or_unexpected,
    PoolTimeout: _unavailable,  # JSON nested thousands deep: the decoder gives up before any handler runs
    Exception: _unexpected,
}

_DESCRIPTIONS = {
    400: "The body is not valid JSON.",
    401: "No valid bearer token.",
    403: "The caller's role or unit may not do this.",
    404: "No such resource.",
    409: "The stream changed meanwhile, or the command is not allowed in this state.",
    412: "If-Match names a version that is no longer current.",
    413: "The request body is too large.",
    422: "The body or a field is invalid; errors name each field.",
    429: "Too many failed sign-ins from this name or address: wait Retry-After seconds.",
    503: "The database is not reachable just now; nothing was recorded. Retry-After says when.",
}


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """The error responses a route documents in the OpenAPI schema."""
    return {
        s: ResponseSpec(
            data_container=Problem,
            description=_DESCRIPTIONS[s],
            media_type=MediaType.JSON,
            generate_examples=False,  # random examples would make the schema differ on every start
        )
        for s in statuses
    }


READ_ERRORS = problem_responses(401, 403, 404, 422, 503)
WRITE_ERRORS = problem_responses(400, 401, 403, 404, 409, 412, 413, 422, 503)
