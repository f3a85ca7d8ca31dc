"""Bearer-token authentication and role guards."""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp

from services.identity.accounts import Identity, token_hash
from services.identity.token_cache import TokenCache
from services.web.guards import ANY_ROLE, allow

PUBLIC_PATHS = ["^/health$", "^/ready$", "^/schema", "^/metrics$"]


class BearerTokenMiddleware(AbstractAuthenticationMiddleware):
    def __init__(
        self, app: ASGIApp, identity: Identity, cache: TokenCache, exclude: list[str] | None = None
    ) -> None:
        super().__init__(app, exclude=exclude)
        self.identity = identity
        self.cache = cache

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthorizedException("send Authorization: Bearer <token> (kaohe token NAME prints one)")
        digest = token_hash(token.strip())
        user = self.cache.get(digest)
        if user is None:
            found = await to_thread.run_sync(self.identity.token_holder, digest)
            if found is not None:
                user, expires_at = found
                self.cache.put(digest, user, expires_at)
        if user is None:
            raise NotAuthorizedException("the token is unknown, revoked or expired")
        return AuthenticationResult(user=user, auth=token)


__all__ = ["ANY_ROLE", "PUBLIC_PATHS", "BearerTokenMiddleware", "allow"]
