"""Role guards shared by the HTTP API and the pages: the roles come from the core (its acts and rules)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from domain.shared.identity import Role
from services.app.acts import act_named
from services.identity.accounts import User

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]


def allow(*roles: Role) -> Guard:
    """A guard that lets only these roles through, before anything is read or recorded."""
    allowed = frozenset(roles)

    # Async on purpose: Litestar runs a synchronous guard on its thread pool, a hop per request.
    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        user: User | None = connection.scope.get("user")
        if user is None or user.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            role = user.role.value if user else "anonymous"
            raise PermissionDeniedException(f"role {role} may not do this (allowed: {names})")

    return guard


def allow_roles(roles: Iterable[Role]) -> Guard:
    return allow(*roles)


def allow_act(name: str) -> Guard:
    """The roles the core's act allows."""
    return allow(*act_named(name).roles)


ANY_ROLE = allow(*Role)
