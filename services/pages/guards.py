"""Guards of the pages: a signed-in user for every page but sign-in, and a CSRF token on every form."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from services.pages.errors import CsrfRefused, LoginRequired
from services.pages.middleware import STATE_SUBJECT, page_codec
from services.pages.sessions import CSRF_FIELD, CSRF_HEADER

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if connection.scope.get("user") is None:
        raise LoginRequired()


async def csrf_protected(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Unsafe methods need this browser's token (form field or header) and must not come from elsewhere."""
    if connection.scope.get("method", "GET") in SAFE_METHODS:
        return
    if connection.headers.get("sec-fetch-site") == "cross-site" or not _same_origin(connection):
        raise CsrfRefused("cross-site request")
    token = connection.headers.get(CSRF_HEADER, "")
    if not token and isinstance(connection, Request):
        form = await connection.form()
        value = form.get(CSRF_FIELD)
        token = value if isinstance(value, str) else ""
    codec = page_codec(connection.app)
    subject = connection.scope.get("state", {}).get(STATE_SUBJECT, "")
    if not subject or not codec.csrf_ok(subject, token):
        raise CsrfRefused("missing or wrong CSRF token")


def _same_origin(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    origin = connection.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == connection.headers.get("host", "")
