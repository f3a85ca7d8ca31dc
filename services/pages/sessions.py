"""Signed, expiring session cookies and the CSRF tokens bound to them (no server-side session table).

A session cookie is ``base64url(json payload).base64url(HMAC-SHA256)``. The payload names the user, a
random session id, when it was issued (absolute expiry) and when it was last used (idle expiry). The
CSRF token of a form is an HMAC of the session id (or of a pre-login nonce kept in its own cookie), so
only a page the server rendered for this browser carries it, and nothing needs storing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, replace

from services.pages.config import PageSettings

SESSION_COOKIE = "kaohe_session"
PRE_COOKIE = "kaohe_pre"
CSRF_FIELD = "_csrf"
CSRF_HEADER = "x-csrf-token"
TOUCH_AFTER_SECONDS = 300  # refresh the idle clock at most every five minutes


@dataclass(frozen=True)
class Session:
    user_id: str
    session_id: str
    issued: int
    seen: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SessionCodec:
    def __init__(self, settings: PageSettings) -> None:
        self.settings = settings
        self._key = hashlib.sha256(b"kaohe-pages-session:" + settings.secret).digest()

    def _mac(self, purpose: str, text: str) -> bytes:
        return hmac.new(self._key, f"{purpose}:{text}".encode(), hashlib.sha256).digest()

    def new(self, user_id: str, now: int) -> Session:
        return Session(user_id, secrets.token_urlsafe(16), now, now)

    def encode(self, session: Session) -> str:
        payload = {"u": session.user_id, "s": session.session_id, "i": session.issued, "t": session.seen}
        body = _b64(json.dumps(payload, separators=(",", ":")).encode())
        return f"{body}.{_b64(self._mac('session', body))}"

    def decode(self, cookie: str, now: int) -> Session | None:
        """The session, or None when the cookie is forged, malformed or expired."""
        body, _, signature = cookie.partition(".")
        try:
            if not hmac.compare_digest(_unb64(signature), self._mac("session", body)):
                return None
            payload = json.loads(_unb64(body))
            session = Session(str(payload["u"]), str(payload["s"]), int(payload["i"]), int(payload["t"]))
        except (ValueError, TypeError, KeyError):
            return None
        if self.expired(session, now):
            return None
        return session

    def expired(self, session: Session, now: int) -> bool:
        too_old = now - session.issued > self.settings.session_hours * 3600
        idle = now - session.seen > self.settings.idle_minutes * 60
        return too_old or idle or session.issued > now + 60

    def touched(self, session: Session, now: int) -> Session | None:
        """A copy with the idle clock reset, when it is worth a new cookie; else None."""
        return replace(session, seen=now) if now - session.seen >= TOUCH_AFTER_SECONDS else None

    def max_age(self) -> int:
        return int(self.settings.session_hours * 3600)

    # Pre-login nonce: the login form's CSRF token needs something bound to this browser.
    def new_nonce(self) -> str:
        nonce = secrets.token_urlsafe(16)
        return f"{nonce}.{_b64(self._mac('pre', nonce))}"

    def check_nonce(self, cookie: str) -> str | None:
        nonce, _, signature = cookie.partition(".")
        try:
            ok = hmac.compare_digest(_unb64(signature), self._mac("pre", nonce))
        except ValueError:
            return None
        return nonce if ok and nonce else None

    def csrf_token(self, subject: str) -> str:
        """The token every form carries; ``subject`` is the session id, or ``pre:<nonce>`` before sign-in."""
        return _b64(self._mac("csrf", subject))

    def csrf_ok(self, subject: str, token: str) -> bool:
        return bool(token) and hmac.compare_digest(token.encode(), self.csrf_token(subject).encode())
