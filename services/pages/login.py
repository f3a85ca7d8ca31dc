"""Sign in and sign out (server-side sessions, throttled sign-in)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from anyio import to_thread
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from services.identity.accounts import Identity
from services.identity.throttle import hashing
from services.infra.logs import get_logger
from services.pages.guards import signed_in
from services.pages.middleware import (
    STATE_SESSION,
    expired_cookie,
    page_codec,
    page_sessions,
    session_cookie,
    sign_in_throttle,
)
from services.pages.render import page
from services.pages.sessions import PRE_COOKIE, SESSION_COOKIE, Session
from services.web.addresses import client_address

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
log = get_logger("kaohe.pages.login")


def _safe_next(target: str | None) -> str:
    """Only a path of ours: never another site, never a scheme-relative ``//host``."""
    if not target or not (target == "/ui" or target.startswith("/ui/")) or "\\" in target:
        return "/ui/"
    return target


def _client(request: Request[Any, Any, Any]) -> str:
    agent = request.headers.get("user-agent", "")[:150]
    return f"{client_address(request)} {agent}".strip()


class LoginController(Controller):
    path = "/ui"

    @get("/login", sync_to_thread=False)
    def form(self, request: Request[Any, Any, Any]) -> Any:
        if request.scope.get("user") is not None:
            return Redirect(_safe_next(request.query_params.get("next")), status_code=303)
        return page(request, "login.html", title="登录", next=_safe_next(request.query_params.get("next")))

    @post("/login", status_code=303)
    async def login(
        self, request: Request[Any, Any, Any], identity: NamedDependency[Identity], data: Form
    ) -> Response[Any] | Template:
        name, password = data.get("username", "").strip()[:100], data.get("password", "")[:256]
        target = _safe_next(data.get("next"))
        throttle, address = sign_in_throttle(request.app), client_address(request)
        refused = throttle.check(name, address)
        if refused is not None:
            log.warning("sign_in_throttled", user=name, address=address, retry_after=refused.retry_after)
            minutes = max(1, (refused.retry_after + 59) // 60)
            return self._again(request, target, name, f"尝试次数过多，请约 {minutes} 分钟后再试。", 429)
        user = await hashing(identity.check_password, name, password) if name else None
        if user is None:
            throttle.failed(name, address)
            log.info("sign_in_failed", user=name, address=address)
            return self._again(request, target, name, "用户名或密码不正确。", 401)
        throttle.succeeded(name)
        codec = page_codec(request.app)
        # A fresh session id on every sign-in, so a session id planted before it is worth nothing.
        session_id = await to_thread.run_sync(
            page_sessions(request.app).start, user.id, datetime.now(UTC), _client(request)
        )
        log.info("sign_in", user=user.name, address=address)
        secure = codec.settings.cookie_secure
        return Redirect(
            target,
            status_code=303,
            cookies=[session_cookie(codec, session_id), expired_cookie(PRE_COOKIE, secure)],
        )

    def _again(
        self, request: Request[Any, Any, Any], target: str, name: str, error: str, status: int
    ) -> Template:
        return page(
            request, "login.html", status=status, title="登录", next=target, username=name, error=error
        )

    @post("/logout", guards=[signed_in], status_code=303)
    async def logout(self, request: Request[Any, Any, Any]) -> Response[Any]:
        codec = page_codec(request.app)
        session: Session = request.scope["state"][STATE_SESSION]
        await to_thread.run_sync(page_sessions(request.app).end, session.id_hash, datetime.now(UTC))
        return Redirect(
            "/ui/login?bye=1",
            status_code=303,
            cookies=[expired_cookie(SESSION_COOKIE, codec.settings.cookie_secure)],
        )
