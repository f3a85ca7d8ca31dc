"""Bearer tokens checked recently, kept for a few seconds so a busy client costs no database read per request.

A revocation or a disabled user takes effect in this process at once (``forget``) and in every other process
within ``seconds`` (KAOHE_TOKEN_CACHE_SECONDS, default 5; 0 turns the cache off). A token is never kept
past its own expiry. Unknown tokens are never kept, so random guesses cannot fill it.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime

from services.identity.accounts import User

MAX_ENTRIES = 10_000


class TokenCache:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._entries: dict[str, tuple[User, float]] = {}
        self._lock = threading.Lock()

    def get(self, digest: str) -> User | None:
        found = self._entries.get(digest)
        if found is None:
            return None
        user, until = found
        if time.monotonic() >= until:
            self._entries.pop(digest, None)
            return None
        return user

    def put(self, digest: str, user: User, expires_at: datetime) -> None:
        if self.seconds <= 0:
            return
        left = expires_at.timestamp() - time.time()
        until = time.monotonic() + min(self.seconds, left)
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[digest] = (user, until)

    def forget(self, user_id: str | None = None) -> None:
        """Drop one user's tokens (all tokens when ``user_id`` is None)."""
        with self._lock:
            if user_id is None:
                self._entries.clear()
                return
            for digest in [d for d, (u, _) in self._entries.items() if u.id == user_id]:
                self._entries.pop(digest, None)
