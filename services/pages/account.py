"""我的账户: who I am, changing my own password, and my signed-in sessions (ending any of them)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from anyio import to_thread
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from services.identity.accounts import Identity, IdentityError
from services.identity.throttle import hashing
from services.pages.guards import signed_in
from services.pages.middleware import STATE_SESSION, page_sessions, sign_in_throttle
from services.pages.render import page, viewer
from services.pages.sessions import Session
from services.web.addresses import client_address

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
PASSWORD_ERRORS = {
    "current_password": "当前密码不正确。",
    "password": "新密码不符合要求：至少 10 个字符，不能是常见密码或用户名。",
}


def _session(request: Request[Any, Any, Any]) -> Session:
    session: Session = request.scope["state"][STATE_SESSION]
    return session


class AccountPages(Controller):
    path = "/ui/account"
    guards = [signed_in]

    @get("/")
    async def account(self, request: Request[Any, Any, Any]) -> Template:
        return await self._render(request)

    async def _render(self, request: Request[Any, Any, Any], status: int = 200, **context: Any) -> Template:
        user = viewer(request)
        sessions = await to_thread.run_sync(page_sessions(request.app).live_of, user.id, datetime.now(UTC))
        notice = {"password": "密码已修改。", "ended": "已结束所选会话。"}.get(
            request.query_params.get("done", "")
        )
        return page(
            request,
            "account.html",
            status=status,
            title="我的账户",
            crumbs=[("/ui/", "工作台"), (None, "我的账户")],
            sessions=sessions,
            current=_session(request).id_hash,
            notice=notice,
            **context,
        )

    @post("/password", status_code=303)
    async def password(
        self, request: Request[Any, Any, Any], identity: NamedDependency[Identity], data: Form
    ) -> Response[Any] | Template:
        user = viewer(request)
        current, new = data.get("current_password", "")[:256], data.get("new_password", "")[:256]
        if new != data.get("confirm_password", ""):
            return await self._render(request, 400, error="两次输入的新密码不一致。")
        throttle, address = sign_in_throttle(request.app), client_address(request)
        if throttle.check(user.name, address) is not None:
            return await self._render(request, 429, error="尝试次数过多，请稍后再试。")
        try:
            await hashing(identity.change_password, user, current, new, _session(request).id_hash)
        except IdentityError as exc:
            if exc.field == "current_password":
                throttle.failed(user.name, address)
            return await self._render(request, 400, error=PASSWORD_ERRORS.get(exc.field, exc.message))
        return Redirect("/ui/account/?done=password", status_code=303)

    @post("/sessions/end", status_code=303)
    async def end_session(self, request: Request[Any, Any, Any], data: Form) -> Response[Any]:
        user, now, sessions = viewer(request), datetime.now(UTC), page_sessions(request.app)
        which = data.get("session", "")
        if which == "others":
            await to_thread.run_sync(sessions.end_others, user.id, _session(request).id_hash, now)
        else:
            await to_thread.run_sync(sessions.end, which[:64], now, user.id)
        return Redirect("/ui/account/?done=ended", status_code=303)
