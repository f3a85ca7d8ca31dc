"""What a user name and a password must be: checked before anything is stored."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

MIN_PASSWORD = 10
MAX_PASSWORD = 256
MAX_NAME = 64
MAX_PROFILE = 50
COMMON_FILE = Path(__file__).with_name("common-passwords.txt")
# Latin letters, digits and . _ - (a sign-in name is typed and put in URLs); it starts with a letter or digit.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_ENDS = "0123456789!@#$%^&*()_+-=.,;:'\"?/\\|~`[]{}<> "


class PolicyError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@cache
def common_passwords() -> frozenset[str]:
    return frozenset(COMMON_FILE.read_text(encoding="utf-8").split())


def check_name(name: str) -> str:
    """The user name as stored; refuses control characters, spaces and anything outside [A-Za-z0-9._-]."""
    if not 2 <= len(name) <= MAX_NAME:
        raise PolicyError("name", f"a user name has 2 to {MAX_NAME} characters")
    if not _NAME.match(name):
        raise PolicyError(
            "name", "a user name uses only letters A-Z, digits and . _ - (starting with a letter or digit)"
        )
    return name


def check_password(password: str, name: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise PolicyError("password", f"a password has at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise PolicyError("password", f"a password has at most {MAX_PASSWORD} characters")
    if any(unicodedata.category(ch) == "Cc" for ch in password):
        raise PolicyError("password", "a password has no control characters")
    lowered = password.lower()
    core = lowered.strip(_ENDS)
    if name and name.lower() in (lowered, core):
        raise PolicyError("password", "a password must not be the user name")
    common = common_passwords()
    if lowered in common or core in common or not core or len(set(lowered)) < 4:
        raise PolicyError("password", "this password is too common or too easy to guess; choose another")


def check_profile(field: str, value: str | None) -> str | None:
    """A display name (姓名) or title (职务): printable, one line, at most 50 characters; empty is None."""
    if value is None:
        return None
    value = value.strip()
    if any(unicodedata.category(ch).startswith("C") for ch in value):
        raise PolicyError(field, f"{field} has no control characters")
    if len(value) > MAX_PROFILE:
        raise PolicyError(field, f"{field} has at most {MAX_PROFILE} characters")
    return value or None
