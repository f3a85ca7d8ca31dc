"""Behind a reverse proxy: with KAOHE_TRUSTED_PROXIES the sign-in throttle and /metrics see the client that
the proxy names in X-Forwarded-For; without it X-Forwarded-For is ignored (anyone can send it)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from services.infra.settings import Settings, SettingsError
from tests.workers.procs import KAOHE, base_env, eventually, free_port, kaohe, start, stop


def serve(tmp_path: Path, **extra: str) -> tuple[str, object]:
    env = base_env(tmp_path, **extra)
    kaohe(["migrate"], env)
    port = free_port()
    api = start([*KAOHE, "api", "--port", str(port)], env, tmp_path / "api.log")
    base = f"http://127.0.0.1:{port}"
    eventually(lambda: httpx.get(f"{base}/health", timeout=2).status_code == 200, 30, "the api")
    return base, api


def wrong_sign_ins(base: str, client: str, names: range) -> list[int]:
    headers = {"X-Forwarded-For": f"198.51.100.7, {client}"}
    return [
        httpx.post(
            f"{base}/auth/tokens", json={"name": f"u{n}", "password": "x" * 12}, headers=headers
        ).status_code
        for n in names
    ]


@pytest.mark.slow
def test_the_throttle_counts_the_client_a_trusted_proxy_names(tmp_path: Path) -> None:
    base, api = serve(tmp_path / "a", KAOHE_TRUSTED_PROXIES="127.0.0.1/32")
    try:
        first = wrong_sign_ins(base, "203.0.113.5", range(25))
        assert first[:20] == [401] * 20 and set(first[20:]) == {429}, first
        assert wrong_sign_ins(base, "203.0.113.6", range(100, 103)) == [401] * 3, (
            "another client is not locked"
        )
        assert httpx.get(f"{base}/metrics", headers={"X-Forwarded-For": "203.0.113.5"}).status_code in (
            401,
            403,
        )
        assert httpx.get(f"{base}/metrics").status_code == 200, "the proxy host itself, without a client"
    finally:
        stop(api)  # type: ignore[arg-type]


@pytest.mark.slow
def test_without_trusted_proxies_x_forwarded_for_is_ignored(tmp_path: Path) -> None:
    base, api = serve(tmp_path / "b")
    try:
        first = wrong_sign_ins(base, "203.0.113.5", range(21))
        assert first[-1] == 429
        assert wrong_sign_ins(base, "203.0.113.6", range(100, 101)) == [429], (
            "the same peer: counted together"
        )
        assert httpx.get(f"{base}/metrics", headers={"X-Forwarded-For": "203.0.113.5"}).status_code == 200
    finally:
        stop(api)  # type: ignore[arg-type]


def test_a_bad_trusted_proxy_setting_is_refused() -> None:
    with pytest.raises(SettingsError, match="KAOHE_TRUSTED_PROXIES"):
        Settings.from_env({"KAOHE_TRUSTED_PROXIES": "10.0.0.0/8,not-an-address"})
    assert len(Settings.from_env({"KAOHE_TRUSTED_PROXIES": "10.0.0.0/8, ::1"}).trusted_proxies) == 2
