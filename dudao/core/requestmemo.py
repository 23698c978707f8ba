"""Values read once per request: a reading request (GET, HEAD) may ask for the same settings
row or reporting period from several selectors; the first read is kept for the rest of that
request only, so nothing outlives it (the next request reads the database again).

`RequestIdMiddleware` opens the memo for reading requests; a writing request (POST …), a job
or a command has none and every call computes afresh — a value a write just changed is never
read stale.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_memo: ContextVar[dict[Hashable, Any] | None] = ContextVar("dudao_request_memo", default=None)

READING_METHODS = frozenset({"GET", "HEAD"})


def memo(key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, once per reading request for this key (every time outside one)."""
    store = _memo.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    value: T = store[key]
    return value


def open_memo(method: str | None) -> object:
    """Start a request's memo (none for a writing method); returns the token for `close`."""
    return _memo.set({} if method in READING_METHODS else None)


def close(token: object) -> None:
    _memo.reset(token)  # type: ignore[arg-type]
