"""Who is signed in (the server-side session behind the cookie) and the CSRF subject of this browser."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from typing import Any

from anyio import to_thread
from litestar.datastructures import Cookie
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from services.identity.accounts import Identity, User
from services.identity.sessions import PageSessions
from services.identity.throttle import SignInThrottle
from services.pages.sessions import PRE_COOKIE, SESSION_COOKIE, Session, SessionCodec

STATE_SESSION = "page_session"
STATE_SUBJECT = "csrf_subject"
CODEC_STATE = "page_codec"
SESSIONS_STATE = "page_sessions"
THROTTLE_STATE = "sign_in_throttle"
MAX_SESSION_ID = 100
Loader = Callable[[str], tuple[Session, User] | None]


def load_session(identity: Identity, sessions: PageSessions, session_id: str) -> tuple[Session, User] | None:
    """The live session behind a cookie and its user, unless the user was disabled since."""
    found = sessions.find(session_id, datetime.now(UTC))
    if found is None:
        return None
    user = identity.user_by_id(found.user_id)
    if user is None or user.disabled:
        return None
    return Session(user.id, session_id, found.id_hash), user


def sign_in_throttle(app: Any) -> SignInThrottle:
    found: SignInThrottle = app.state[THROTTLE_STATE]
    return found


def page_sessions(app: Any) -> PageSessions:
    found: PageSessions = app.state[SESSIONS_STATE]
    return found


def page_codec(app: Any) -> SessionCodec:
    """The app's session codec (made by ``PagesPlugin`` from the environment and the data folder)."""
    codec: SessionCodec = app.state[CODEC_STATE]
    return codec


def session_cookie(codec: SessionCodec, session_id: str) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=session_id,
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

    def __init__(self, app: ASGIApp, load: Loader) -> None:
        self.app = app
        self.load = load

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        codec = page_codec(scope["app"])
        cookies = _cookies(scope)
        outgoing: list[Cookie] = []
        session, user = await self._session(cookies.get(SESSION_COOKIE, ""))
        if cookies.get(SESSION_COOKIE) and session is None:
            outgoing.append(expired_cookie(SESSION_COOKIE, codec.settings.cookie_secure))
        if session is not None:
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

    async def _session(self, cookie: str) -> tuple[Session | None, User | None]:
        if not cookie or len(cookie) > MAX_SESSION_ID:
            return None, None
        found = await to_thread.run_sync(self.load, cookie)
        return found if found is not None else (None, None)


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
