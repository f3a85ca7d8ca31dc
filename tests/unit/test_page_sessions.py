"""Signed session cookies and the CSRF tokens bound to them."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.infra.settings import SettingsError
from services.pages.config import PageSettings
from services.pages.sessions import SessionCodec

NOW = 1_800_000_000


def codec(**kw: object) -> SessionCodec:
    return SessionCodec(PageSettings(secret=b"k" * 32, **kw))  # type: ignore[arg-type]


def test_a_session_survives_the_round_trip() -> None:
    c = codec()
    session = c.new("user-1", NOW)
    assert c.decode(c.encode(session), NOW + 10) == session


@pytest.mark.parametrize("tamper", ["payload", "signature", "garbage"])
def test_a_tampered_cookie_is_no_session(tamper: str) -> None:
    c = codec()
    body, _, signature = c.encode(c.new("user-1", NOW)).partition(".")
    forged = {
        "payload": f"{body[:-2]}AA.{signature}",
        "signature": f"{body}.{signature[:-2]}AA",
        "garbage": "not-a-cookie",
    }[tamper]
    assert c.decode(forged, NOW) is None


def test_another_key_does_not_accept_the_cookie() -> None:
    cookie = codec().encode(codec().new("user-1", NOW))
    other = SessionCodec(PageSettings(secret=b"x" * 32))
    assert other.decode(cookie, NOW) is None


def test_sessions_expire_after_the_day_and_when_idle() -> None:
    c = codec(session_hours=8, idle_minutes=60)
    session = c.new("user-1", NOW)
    assert c.decode(c.encode(session), NOW + 61 * 60) is None  # idle for an hour
    kept_alive = session
    for minutes in range(30, 8 * 60, 30):  # used every half hour: the idle clock restarts
        touched = c.touched(kept_alive, NOW + minutes * 60)
        kept_alive = touched or kept_alive
        assert c.decode(c.encode(kept_alive), NOW + minutes * 60) is not None
    assert c.decode(c.encode(kept_alive), NOW + 8 * 3600 + 1) is None  # the working day is over


def test_the_csrf_token_is_bound_to_the_session_and_the_key() -> None:
    c = codec()
    token = c.csrf_token("session-a")
    assert c.csrf_ok("session-a", token)
    assert not c.csrf_ok("session-b", token)
    assert not c.csrf_ok("session-a", "")
    assert not SessionCodec(PageSettings(secret=b"x" * 32)).csrf_ok("session-a", token)


def test_a_pre_login_nonce_is_signed() -> None:
    c = codec()
    value = c.new_nonce()
    assert c.check_nonce(value) == value.partition(".")[0]
    assert c.check_nonce(value.partition(".")[0] + ".forged") is None


def test_the_secret_is_made_once_and_kept(tmp_path: Path) -> None:
    first = PageSettings.from_env(tmp_path, {})
    assert PageSettings.from_env(tmp_path, {}).secret == first.secret
    assert (tmp_path / "page-secret.key").stat().st_mode & 0o777 == 0o600
    with pytest.raises(SettingsError):
        PageSettings.from_env(tmp_path, {"KAOHE_SECRET_KEY": "short"})
    assert PageSettings.from_env(tmp_path, {"KAOHE_COOKIE_SECURE": "1"}).cookie_secure
