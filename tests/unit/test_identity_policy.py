"""The password and user-name policy, and control characters escaped in the command line's audit prints."""

from __future__ import annotations

import pytest

from services.cli.audit_text import clean
from services.identity.policy import PolicyError, check_name, check_password, check_profile, common_passwords


@pytest.mark.parametrize(
    "password",
    [
        "short",
        "12345678",
        "123456789012",
        "password",
        "Password123!",
        "qwertyuiop",
        "QWERTYUIOP2024",
        "woaini1314",
        "woaini5201314",
        "zhongguo2025",
        "aaaaaaaaaaaa",
        "aaaaaaaaa1!",
        "zhang-wei-99",  # the user name with decoration
        "x" * 300,
        "good-pass\x00word",
    ],
)
def test_weak_passwords_are_refused(password: str) -> None:
    with pytest.raises(PolicyError) as refused:
        check_password(password, "zhang-wei")
    assert refused.value.field == "password"


def test_a_password_equal_to_the_user_name_is_refused() -> None:
    with pytest.raises(PolicyError, match="user name"):
        check_password("section-chief", "section-chief")


@pytest.mark.parametrize("password", ["Kaohe-Test-2026!", "汉滨区作风建设2023", "correct horse battery"])
def test_reasonable_passwords_pass(password: str) -> None:
    check_password(password, "zhang-wei")


def test_the_common_list_ships_with_the_code_and_holds_the_favourites() -> None:
    common = common_passwords()
    assert len(common) > 2000
    assert {"12345678", "password", "qwertyuiop", "woaini1314", "5201314", "1qaz2wsx"} <= common


@pytest.mark.parametrize(
    "name",
    ["", "a b", "tab\tname", "new\nline", "esc\x1b[31m", "zhang\u202e", "../etc", "-dash", "x" * 65, "张三"],
)
def test_unclean_user_names_are_refused(name: str) -> None:
    with pytest.raises(PolicyError):
        check_name(name)


@pytest.mark.parametrize("name", ["drafter", "section-chief", "bianban-liaison", "zhang.wei", "u_01", "a1"])
def test_clean_user_names_pass(name: str) -> None:
    assert check_name(name) == name


def test_profile_fields_are_one_printable_line() -> None:
    assert check_profile("title", "  科长 ") == "科长"
    assert check_profile("title", "") is None
    with pytest.raises(PolicyError):
        check_profile("display_name", "王\n建国")
    with pytest.raises(PolicyError):
        check_profile("display_name", "王" * 51)


def test_control_characters_are_escaped_for_the_terminal() -> None:
    assert clean("同意") == "同意"
    assert clean("ok\x1b[2J\rforged line\nnext") == "ok\\x1b[2J\\x0dforged line\\x0anext"
    assert clean("abc\u202edef") == "abc\\u202edef"
