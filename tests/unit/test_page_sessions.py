"""CSRF tokens bound to a session, the pre-login nonce, and the page key that cannot be weak."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from services.infra.settings import SettingsError
from services.pages.config import SECRET_FILE, PageSettings
from services.pages.sessions import SessionCodec


def codec(**kw: object) -> SessionCodec:
    return SessionCodec(PageSettings(secret=b"k" * 32, **kw))  # type: ignore[arg-type]


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
    assert len(first.secret) == 64
    assert PageSettings.from_env(tmp_path, {}).secret == first.secret
    assert (tmp_path / SECRET_FILE).stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [SECRET_FILE]  # no temporary file left behind
    with pytest.raises(SettingsError):
        PageSettings.from_env(tmp_path, {"KAOHE_SECRET_KEY": "short"})
    assert PageSettings.from_env(tmp_path, {"KAOHE_COOKIE_SECURE": "1"}).cookie_secure


@pytest.mark.parametrize("content", ["", "\n", "too-short-a-key\n", " " * 40])
def test_an_empty_or_short_key_file_is_refused_at_start(tmp_path: Path, content: str) -> None:
    (tmp_path / SECRET_FILE).write_text(content)
    with pytest.raises(SettingsError, match="remove the file"):
        PageSettings.from_env(tmp_path, {})


READ_KEYS = (
    "import sys, time; from pathlib import Path; from services.pages.config import PageSettings\n"
    "base, first, runs = Path(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])\n"
    "for run in range(runs):\n"
    "    time.sleep(max(0.0, first + run * 0.5 - time.time()))\n"
    "    print(PageSettings.from_env(base / f'run{run}', {}).secret.decode(), flush=True)\n"
)


@pytest.mark.slow
def test_processes_starting_together_all_read_the_one_full_key(tmp_path: Path) -> None:
    """Six processes read the key at the same instant from an empty folder, ten times over: each reads the
    same complete key (before the fix, one could read the file between its creation and its write, and
    run with an empty key)."""
    import time

    root = Path(__file__).resolve().parents[2]
    runs, first = 10, time.time() + 25.0  # after every process has imported the code
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", READ_KEYS, str(tmp_path), str(first), str(runs)],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    results = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in results]
    lines = [out.split() for out, _ in results]
    for run in range(runs):
        keys = {process[run] for process in lines}
        assert len(keys) == 1 and len(keys.pop()) == 64, run
