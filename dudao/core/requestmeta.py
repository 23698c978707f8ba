"""Per-request metadata (request id, client IP) available to services without a request."""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestMeta:
    """Who is asking, as far as the audit log needs to know."""

    request_id: str
    ip: str | None = None


_current: ContextVar[RequestMeta | None] = ContextVar("dudao_request_meta", default=None)


def current() -> RequestMeta:
    """Return the current request's metadata; outside a request, a fresh `cli-…` id."""
    meta = _current.get()
    if meta is None:
        meta = RequestMeta(request_id=f"cli-{uuid.uuid4().hex[:12]}")
        _current.set(meta)
    return meta


def bind(meta: RequestMeta | None) -> object:
    """Set the metadata for the current context and return a token for `unbind`."""
    return _current.set(meta)


def unbind(token: object) -> None:
    """Restore the metadata that was current before `bind`."""
    _current.reset(token)  # type: ignore[arg-type]
