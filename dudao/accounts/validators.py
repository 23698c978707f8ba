"""Password rules of 等保 8.1.4.1 a) beyond Django's built-ins (reliability.md §1.3)."""

from __future__ import annotations

import string
from typing import Any

from django.core.exceptions import ValidationError


class MinimumLengthValidator:
    """The password has at least `min_length` characters.

    Django 5.2's own validator changed its message id, and its zh_Hans catalogue still carries
    the old one, so its message reached users in English.
    """

    def __init__(self, min_length: int = 12) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                f"密码长度不能少于{self.min_length}个字符。", code="password_too_short"
            )

    def get_help_text(self) -> str:
        return f"密码长度不能少于{self.min_length}个字符。"


def _classes(password: str) -> int:
    groups = [
        any(c in string.ascii_lowercase for c in password),
        any(c in string.ascii_uppercase for c in password),
        any(c in string.digits for c in password),
        any(not c.isalnum() or not c.isascii() for c in password),
    ]
    return sum(groups)


class CharacterClassValidator:
    """The password mixes at least `min_classes` of: lower, upper, digits, other characters."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if _classes(password) < self.min_classes:
            raise ValidationError(
                f"密码须包含小写字母、大写字母、数字、特殊字符中的至少{self.min_classes}类。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return f"密码须包含小写字母、大写字母、数字、特殊字符中的至少{self.min_classes}类。"


class UsernameNotContainedValidator:
    """The password does not contain the username (case-insensitive)."""

    def validate(self, password: str, user: Any = None) -> None:
        username = (getattr(user, "username", "") or "").strip().lower()
        if username and username in password.lower():
            raise ValidationError("密码不能包含用户名。", code="password_contains_username")

    def get_help_text(self) -> str:
        return "密码不能包含用户名。"
