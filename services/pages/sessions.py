"""Session cookies (a random id; the server keeps only its hash) and the CSRF tokens bound to them.

The ``kaohe_session`` cookie holds a 256-bit random id. The ``page_sessions`` table keeps its SHA-256
with the user and the times that decide idle and absolute expiry (services/identity/sessions.py), so
signing out, disabling the user or revoking their tokens ends it on the server. The CSRF token of a form
is an HMAC of the session id (or of a pre-login nonce kept in its own cookie), so only a page the server
rendered for this browser carries it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from services.pages.config import PageSettings

SESSION_COOKIE = "kaohe_session"
PRE_COOKIE = "kaohe_pre"
CSRF_FIELD = "_csrf"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True)
class Session:
    user_id: str
    session_id: str
    id_hash: str


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
