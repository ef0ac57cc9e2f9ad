"""What a username, an email address and a password must look like, checked once for every call that takes them.

PlayFab answers bad credentials with InvalidParams (1000) and `errorDetails` naming each field; its own SDK
tests look for "Email address is not valid." and "Password must be between ..." in those details.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from shared.wire.errors import PlayFabError

USERNAME_CHARS: Final = (3, 20)
PASSWORD_CHARS: Final = (6, 100)
EMAIL_MAX_CHARS: Final = 254  # the longest address SMTP can carry (RFC 5321 path limit)

_USERNAME = re.compile(r"[A-Za-z0-9_.\-]+")
# One "@", something before it, a dotted domain after it, and no spaces: what mail systems agree on.
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")

Problems = dict[str, list[str]]


def required(name: str) -> str:
    return f"The {name} field is required."


def username_problem(username: str) -> str | None:
    low, high = USERNAME_CHARS
    if not low <= len(username) <= high:
        return f"Username must be between {low} and {high} characters."
    if not _USERNAME.fullmatch(username):
        return "Username may hold only letters A-Z and a-z, digits, '_', '-' and '.'."
    return None


def email_problem(email: str) -> str | None:
    if (
        len(email) > EMAIL_MAX_CHARS
        or not _EMAIL.fullmatch(email)
        or any(unicodedata.category(ch) in ("Cc", "Cf") for ch in email)
    ):
        return "Email address is not valid."
    return None


def password_problem(password: str) -> str | None:
    low, high = PASSWORD_CHARS
    if not low <= len(password) <= high:
        return f"Password must be between {low} and {high} characters."
    return None


def check(username: str | None, email: str | None, password: str | None) -> Problems:
    """Problems with the fields given (None: not given, not checked)."""
    problems: Problems = {}
    for name, value, rule in (
        ("Username", username, username_problem),
        ("Email", email, email_problem),
        ("Password", password, password_problem),
    ):
        if value is not None and (problem := rule(value)) is not None:
            problems[name] = [problem]
    return problems


def refuse(problems: Problems) -> None:
    if problems:
        raise PlayFabError("InvalidParams", "Invalid input parameters", problems)
