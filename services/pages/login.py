"""Sign in and sign out."""

from __future__ import annotations

import time
from typing import Annotated, Any

from anyio import to_thread
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from services.identity.accounts import Identity
from services.pages.guards import signed_in
from services.pages.middleware import expired_cookie, page_codec, session_cookie
from services.pages.render import page
from services.pages.sessions import PRE_COOKIE, SESSION_COOKIE

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _safe_next(target: str | None) -> str:
    """Only a path of ours: never another site, never a scheme-relative ``//host``."""
    if not target or not (target == "/ui" or target.startswith("/ui/")) or "\\" in target:
        return "/ui/"
    return target


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
        name, password = data.get("username", "").strip(), data.get("password", "")
        user = await to_thread.run_sync(identity.check_password, name, password) if name else None
        target = _safe_next(data.get("next"))
        if user is None:
            return page(
                request,
                "login.html",
                status=401,
                title="登录",
                next=target,
                username=name,
                error="用户名或密码不正确。",
            )
        codec = page_codec(request.app)
        # A fresh session id on every sign-in, so a session id planted before it is worth nothing.
        session = codec.new(user.id, int(time.time()))
        secure = codec.settings.cookie_secure
        return Redirect(
            target,
            status_code=303,
            cookies=[session_cookie(codec, session), expired_cookie(PRE_COOKIE, secure)],
        )

    @post("/logout", guards=[signed_in], status_code=303)
    async def logout(self, request: Request[Any, Any, Any]) -> Response[Any]:
        codec = page_codec(request.app)
        return Redirect(
            "/ui/login?bye=1",
            status_code=303,
            cookies=[expired_cookie(SESSION_COOKIE, codec.settings.cookie_secure)],
        )
