"""Sign-in throttling: windows, backoff and the Redis storage shared by every API process."""

from __future__ import annotations

import uuid

import pytest
import redis

from services.identity.throttle import SignInThrottle, throttle_url
from services.infra.settings import Settings
from tests.conftest import machine_lock, missing_service

REDIS_DB = 11  # tests/workers use 3, 12 and 13; tests/demo 14


def test_five_failures_lock_the_account_for_the_rest_of_the_minute() -> None:
    throttle = SignInThrottle()
    for _ in range(5):
        assert throttle.check("zhang", "10.0.0.1") is None
        throttle.failed("zhang", "10.0.0.1")
    refused = throttle.check("ZHANG", "10.0.0.2")  # names are counted case-blind, from any address
    assert refused is not None and 1 <= refused.retry_after <= 60
    assert throttle.check("li", "10.0.0.1") is None  # another account from the same address


def test_the_broker_or_a_setting_chooses_redis(tmp_path: object) -> None:
    base = Settings(data_dir=tmp_path, database_url="sqlite://")  # type: ignore[arg-type]
    assert throttle_url(base) is None
    assert throttle_url(Settings(**{**base.__dict__, "broker_url": "redis://r:6379/0"})) == "redis://r:6379/0"
    assert throttle_url(Settings(**{**base.__dict__, "throttle_url": "redis://t/1"})) == "redis://t/1"


@pytest.mark.redis
def test_processes_share_the_count_through_redis() -> None:
    url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    with machine_lock(f"redis-db-{REDIS_DB}"):
        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except redis.RedisError as exc:
            missing_service(f"Redis is not reachable at 127.0.0.1:6379: {exc.__class__.__name__}")
        name = f"user-{uuid.uuid4().hex[:8]}"
        one, two = SignInThrottle.from_url(url), SignInThrottle.from_url(url)
        for _ in range(3):
            one.failed(name, "10.0.0.9")
        for _ in range(2):
            two.failed(name, "10.0.0.9")
        assert one.check(name, "10.0.0.8") is not None
        assert two.check(name, "10.0.0.8") is not None
        redis.Redis.from_url(url).flushdb()
