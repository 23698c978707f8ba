"""Account rules as pure functions: who needs the second factor, what a recovery code is."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING

from dudao.core.roles import ADMIN_MASK, BUSINESS_ROLES

if TYPE_CHECKING:
    from dudao.accounts.models import User

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed


def mfa_required(user: User, required_roles: int) -> bool:
    """Return True when `user` must log in with a second factor: always for the three
    administrators, and for a business role when its setting (`required_roles`, the mask of
    roles the 安全管理员 marked as required) says so."""
    return bool(user.roles & ADMIN_MASK) or bool(user.roles & required_roles)


def business_role_choices() -> list[int]:
    """Return the roles whose second factor is a setting (the business roles)."""
    return [int(r) for r in BUSINESS_ROLES]


def new_recovery_code() -> str:
    """Return a fresh recovery code: 16 characters of a 32-letter alphabet (80 bits)."""
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normalise_code(code: str) -> str:
    """Return `code` as typed, without spaces or dashes, upper case."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def hash_recovery_code(code: str) -> str:
    """Return the SHA-256 digest stored for a recovery code (normalised first)."""
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()
