"""POST /auth/tokens: sign in with name and password for a bearer token of one's own (throttled)."""

from __future__ import annotations

from typing import Any

import msgspec
from anyio import to_thread
from litestar import Controller, Request, Response, post
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from litestar.params import JSONBody

from services.api.problems import Problem, problem, problem_responses
from services.api.users import TokenIssuedView, invalid
from services.bootstrap import Container
from services.identity.accounts import IdentityError
from services.identity.throttle import hashing
from services.infra.logs import get_logger
from services.web.addresses import client_address

log = get_logger("kaohe.api.signin")


class SignIn(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    password: str
    days: int = 1


class SignInController(Controller):
    path = "/auth"
    tags = ["system"]

    @post(
        "/tokens",
        opt={"exclude_from_auth": True},
        security=[],
        responses=problem_responses(401, 422, 429),
        operation_id="signIn",
        summary="用户名密码换取本人令牌",
    )
    async def sign_in(
        self, request: Request[Any, Any, Any], container: NamedDependency[Container], data: JSONBody[SignIn]
    ) -> TokenIssuedView | Response[Problem]:
        """A bearer token for the user whose name and password these are (5 failures a minute lock the
        name for the minute, more lock it longer; the client address is counted too)."""
        name, address = data.name.strip()[:100], client_address(request)
        refused = container.throttle.check(name, address)
        if refused is not None:
            log.warning("sign_in_throttled", user=name, address=address, retry_after=refused.retry_after)
            response = problem(429, "too many failed sign-ins: try again later", "throttled")
            response.headers.update({"Retry-After": str(refused.retry_after)})
            return response
        user = await hashing(container.identity.check_password, name, data.password[:256])
        if user is None:
            container.throttle.failed(name, address)
            log.info("sign_in_failed", user=name, address=address)
            raise NotAuthorizedException("wrong user name or password")
        container.throttle.succeeded(name)
        try:
            issued = await to_thread.run_sync(container.identity.issue_token, user, data.days, user.name)
        except IdentityError as exc:
            raise invalid(exc) from None
        return TokenIssuedView(issued.token, issued.expires_at)
