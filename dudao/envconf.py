"""Typed readers for DUDAO_* environment variables (Healthchecks style).

Every reader raises ImproperlyConfigured with a one-line message naming the variable, so
that a bad value stops start-up with that line (see dudao.cli.main and manage.py).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envstr(name: str, default: str) -> str:
    """Return the variable's value, or the default when it is unset."""
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    """Return a boolean: 1/true/yes/on or 0/false/no/off (case-insensitive)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} 不是布尔值，请使用 true 或 false")


def envint(name: str, default: int, *, minimum: int = 0, maximum: int = 2**31) -> int:
    """Return an integer within [minimum, maximum]."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} 不是整数") from None
    if not minimum <= value <= maximum:
        raise ImproperlyConfigured(f"{name}={value} 超出范围 {minimum}–{maximum}")
    return value


def envlist(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated list with blanks removed."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def envurl(name: str, schemes: tuple[str, ...]) -> str | None:
    """Return a URL whose scheme is one of `schemes`, or None when unset or empty."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in schemes:
        allowed = "、".join(f"{s}://" for s in schemes)
        raise ImproperlyConfigured(
            f"{name} 的协议必须是 {allowed} 之一（当前：{parts.scheme or '无'}）"
        )
    if parts.scheme not in {"sqlite"} and not parts.hostname and not parts.path.strip("/"):
        raise ImproperlyConfigured(f"{name}={raw!r} 缺少主机或数据库名")
    return raw


def data_dir(name: str = "DUDAO_DATA_DIR") -> Path:
    """Return the data directory (created if missing) for the SQLite file, key, uploads, logs."""
    path = Path(os.environ.get(name, "var")).expanduser().resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
        for sub in ("uploads", "logs", "tmp"):
            (path / sub).mkdir(exist_ok=True)
    except OSError as exc:
        raise ImproperlyConfigured(f"{name}={str(path)!r} 无法创建或写入：{exc.strerror}") from None
    return path


def secret_key(directory: Path, name: str = "DUDAO_SECRET_KEY") -> str:
    """Return DUDAO_SECRET_KEY, else a key generated once into DATA_DIR/secret_key (mode 0600)."""
    raw = os.environ.get(name)
    if raw is not None:
        if len(raw) < 50:
            raise ImproperlyConfigured(f"{name} 太短：至少 50 个字符")
        return raw
    key_file = directory / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(64))
    return key_file.read_text().strip()


def audit_key(directory: Path, name: str = "DUDAO_AUDIT_KEY") -> bytes:
    """Return the audit chain's HMAC key: DUDAO_AUDIT_KEY, else DATA_DIR/audit_key (mode 0600).

    The key never enters the database, so whoever can write the database cannot re-seal an
    edited audit log (dudao/audit/chain.py). Keep a copy with the backups of the data directory.
    """
    raw = os.environ.get(name)
    if raw is not None:
        if len(raw) < 32:
            raise ImproperlyConfigured(f"{name} 太短：至少 32 个字符")
        return raw.encode()
    key_file = directory / "audit_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return key_file.read_text().strip().encode()
