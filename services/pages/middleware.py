"""Who is signed in (from the signed session cookie) and the CSRF subject of this browser."""

from __future__ import annotations

import time
from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any

from anyio import to_thread
from litestar.datastructures import Cookie
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy import select

from domain.shared.identity import Role
from services.identity.accounts import Identity, User, users_table
from services.pages.sessions import PRE_COOKIE, SESSION_COOKIE, Session, SessionCodec

STATE_SESSION = "page_session"
STATE_SUBJECT = "csrf_subject"
CODEC_STATE = "page_codec"


def load_user(identity: Identity, user_id: str) -> User | None:
    """The user of a session, unless removed or disabled since it was issued."""
    stmt = select(users_table).where(users_table.c.id == user_id)
    with identity.reader.connect() as conn:
        row = conn.execute(stmt).one_or_none()
    if row is None or row.disabled:
        return None
    return User(row.id, row.name, Role(row.role), row.unit, row.organisation_id)


def page_codec(app: Any) -> SessionCodec:
    """The app's session codec (made by ``PagesPlugin`` from the environment and the data folder)."""
    codec: SessionCodec = app.state[CODEC_STATE]
    return codec


def session_cookie(codec: SessionCodec, session: Session) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=codec.encode(session),
        max_age=codec.max_age(),
        path="/",
        httponly=True,
        secure=codec.settings.cookie_secure,
        samesite="lax",
    )


def expired_cookie(key: str, secure: bool) -> Cookie:
    return Cookie(key=key, value="", max_age=0, path="/", httponly=True, secure=secure, samesite="lax")


def _cookies(scope: Scope) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header reads as no cookies
                return {}
    return {key: morsel.value for key, morsel in jar.items()}


class SessionMiddleware:
    """Sets ``scope["user"]`` (a User or None) and the CSRF subject; renews or clears cookies as needed."""

    def __init__(self, app: ASGIApp, load: Callable[[str], User | None]) -> None:
        self.app = app
        self.load = load

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        codec = page_codec(scope["app"])
        now = int(time.time())
        cookies = _cookies(scope)
        outgoing: list[Cookie] = []
        session, user = await self._session(scope, codec, cookies.get(SESSION_COOKIE, ""), now)
        if cookies.get(SESSION_COOKIE) and session is None:
            outgoing.append(expired_cookie(SESSION_COOKIE, codec.settings.cookie_secure))
        if session is not None:
            touched = codec.touched(session, now)
            if touched is not None:
                outgoing.append(session_cookie(codec, touched))
            subject = session.session_id
        else:
            pre = codec.check_nonce(cookies.get(PRE_COOKIE, ""))
            if pre is None:
                value = codec.new_nonce()
                pre = value.partition(".")[0]
                outgoing.append(
                    Cookie(
                        key=PRE_COOKIE,
                        value=value,
                        path="/",
                        httponly=True,
                        secure=codec.settings.cookie_secure,
                        samesite="strict",
                    )
                )
            subject = f"pre:{pre}"
        scope["user"] = user
        state = scope.setdefault("state", {})
        state[STATE_SESSION] = session
        state[STATE_SUBJECT] = subject
        await self.app(scope, receive, _with_cookies(send, outgoing))

    async def _session(
        self, scope: Scope, codec: SessionCodec, cookie: str, now: int
    ) -> tuple[Session | None, User | None]:
        session = codec.decode(cookie, now) if cookie else None
        if session is None:
            return None, None
        user = await to_thread.run_sync(self.load, session.user_id)
        return (session, user) if user is not None else (None, None)


def _with_cookies(send: Send, cookies: list[Cookie]) -> Send:
    if not cookies:
        return send

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            already = {
                value.decode("latin-1").split("=", 1)[0] for name, value in headers if name == b"set-cookie"
            }
            for cookie in cookies:
                if cookie.key not in already:
                    headers.append((b"set-cookie", cookie.to_header(header="").strip().encode("latin-1")))
            message = {**message, "headers": headers}
        await send(message)

    return sending
