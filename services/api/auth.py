"""Bearer-token authentication and role guards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from anyio import to_thread
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from domain.identity import Role
from services.identity import Identity, User

PUBLIC_PATHS = ["^/health$", "^/ready$", "^/schema", "^/metrics$"]


class BearerTokenMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthorizedException("send Authorization: Bearer <token> (kaohe token NAME prints one)")
        identity: Identity = connection.app.state.identity
        user = await to_thread.run_sync(identity.authenticate, token.strip())
        if user is None:
            raise NotAuthorizedException("the token is unknown, revoked or expired")
        return AuthenticationResult(user=user, auth=token)


Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


def allow(*roles: Role) -> Guard:
    """A guard that lets only these roles through (the auditor never writes)."""
    allowed = frozenset(roles)

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        user: User = connection.user
        if user.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise PermissionDeniedException(f"role {user.role.value} may not do this (allowed: {names})")

    return guard


ANY_ROLE = allow(*Role)
