"""`kaohe users ...` and `kaohe token ...` on a SQLite folder: policy, disable, reset, who is recorded."""

from __future__ import annotations

import getpass
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from services.bootstrap import build
from services.cli.main import main
from services.infra.settings import Settings


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for name in ("KAOHE_DATABASE_URL", "KAOHE_BROKER_URL", "KAOHE_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KAOHE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KAOHE_LOG_LEVEL", "WARNING")
    runner = CliRunner()
    assert runner.invoke(main, ["migrate"]).exit_code == 0
    return runner


def test_users_are_added_disabled_enabled_and_reset_from_the_command_line(
    run: CliRunner, tmp_path: Path
) -> None:
    weak = run.invoke(
        main, ["users", "add", "zhang", "--role", "drafter", "--password-stdin"], input="12345678\n"
    )
    assert weak.exit_code == 1 and "password" in weak.output
    bad_name = run.invoke(
        main,
        ["users", "add", "zhang wei", "--role", "drafter", "--password-stdin"],
        input="Zhang-Drafts-2026\n",
    )
    assert bad_name.exit_code == 1
    added = run.invoke(
        main,
        [
            "users",
            "add",
            "zhang",
            "--role",
            "drafter",
            "--display-name",
            "张伟",
            "--title",
            "科员",
            "--password-stdin",
        ],
        input="Zhang-Drafts-2026\n",
    )
    assert added.exit_code == 0, added.output
    token = run.invoke(main, ["token", "zhang"]).output.strip()
    assert token.startswith("kh_")
    assert run.invoke(main, ["user", "disable", "zhang"]).exit_code == 0
    listed = run.invoke(main, ["users", "list"]).output
    assert "zhang\tdrafter\t经办人\t-\t张伟\t科员\tdisabled" in listed
    assert run.invoke(main, ["users", "enable", "zhang"]).exit_code == 0
    reset = run.invoke(main, ["users", "password", "zhang", "--password-stdin"], input="Reset-On-Server-1\n")
    assert reset.exit_code == 0, reset.output

    container = build(Settings.from_env())
    try:
        user = container.identity.find_user("zhang")
        assert user is not None and not user.disabled
        assert container.identity.authenticate(token) is None  # disabling revoked it
        assert container.identity.check_password("zhang", "Reset-On-Server-1") is not None
        events = container.store.read_stream(user.stream_id)
    finally:
        container.close()
    assert [e.type for e in events] == [
        "UserRegistered",
        "UserProfileChanged",
        "TokenIssued",
        "UserDisabled",
        "TokenRevoked",
        "UserEnabled",
        "PasswordChanged",
    ]
    operator = f"cli:{getpass.getuser()}"
    assert {e.metadata["actor"] for e in events} == {operator}
    assert {e.metadata["role"] for e in events} == {"operator"}
    for name in ("kaohe.sqlite3", "page-secret.key"):
        path = tmp_path / name
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
    assert stat.S_IMODE((tmp_path / "kaohe.sqlite3").stat().st_mode) == 0o600
