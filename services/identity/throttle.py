"""Sign-in throttling with backoff (per account and per client address) and bounded password hashing.

Failures are counted with the ``limits`` library: in memory for one process (the embedded default), in
Redis when KAOHE_THROTTLE_URL (or a redis:// KAOHE_BROKER_URL) names one, so every API process shares the
count. Each window is checked separately, so the wait grows with persistence: 5 failures in a minute lock
the account for the rest of that minute, 20 in an hour for the hour, 50 in a day for the day.

argon2 costs about 50 ms of CPU and 64 MiB per check: at most ``HASH_SLOTS`` run at once, in worker
threads, so a burst of sign-ins queues for the hasher instead of stalling every other request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import anyio
from anyio import to_thread
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from services.infra.settings import Settings

T = TypeVar("T")
HASH_SLOTS = 4
ACCOUNT_LIMITS = "5/minute;20/hour;50/day"
ADDRESS_LIMITS = "20/minute;200/hour;1000/day"

_hashing: anyio.CapacityLimiter | None = None


def _limiter() -> anyio.CapacityLimiter:
    # Made lazily: a CapacityLimiter belongs to the event loop that first uses it.
    global _hashing  # noqa: PLW0603
    if _hashing is None:
        _hashing = anyio.CapacityLimiter(HASH_SLOTS)
    return _hashing


async def hashing(func: Callable[..., T], *args: object) -> T:
    """Run a password check or hash off the event loop, at most ``HASH_SLOTS`` at a time."""
    return await to_thread.run_sync(func, *args, limiter=_limiter())


@dataclass(frozen=True)
class Refusal:
    retry_after: int
    """Seconds until the next attempt is accepted."""


class SignInThrottle:
    def __init__(self, storage: Storage | None = None) -> None:
        self.storage = storage or MemoryStorage()
        self.limiter = MovingWindowRateLimiter(self.storage)  # no burst at a window's edge
        self.account: list[RateLimitItem] = parse_many(ACCOUNT_LIMITS)
        self.address: list[RateLimitItem] = parse_many(ADDRESS_LIMITS)

    @classmethod
    def from_url(cls, url: str | None) -> SignInThrottle:
        """Redis when ``url`` is a redis:// URL, else memory (one process)."""
        if url and url.startswith(("redis://", "rediss://")):
            storage = storage_from_string(url)
            assert isinstance(storage, Storage)
            return cls(storage)
        return cls()

    def check(self, name: str, address: str) -> Refusal | None:
        """Whether a sign-in may be tried now; None when it may."""
        waits = [self._wait(item, "account", name.lower()) for item in self.account] + [
            self._wait(item, "address", address) for item in self.address
        ]
        longest = max(waits)
        return Refusal(longest) if longest > 0 else None

    def failed(self, name: str, address: str) -> None:
        for item in self.account:
            self.limiter.hit(item, "account", name.lower())
        for item in self.address:
            self.limiter.hit(item, "address", address)

    def succeeded(self, name: str) -> None:
        """A right password clears the account's per-minute count (not the address's)."""
        self.storage.clear(self.account[0].key_for("account", name.lower()))

    def _wait(self, item: RateLimitItem, *keys: str) -> int:
        if self.limiter.test(item, *keys):
            return 0
        reset = self.limiter.get_window_stats(item, *keys).reset_time
        return max(1, int(reset - time.time()))


def throttle_url(settings: Settings) -> str | None:
    """Where failures are counted: KAOHE_THROTTLE_URL, else a redis:// broker, else this process's memory."""
    return settings.throttle_url or (
        settings.broker_url if (settings.broker_url or "").startswith(("redis://", "rediss://")) else None
    )
