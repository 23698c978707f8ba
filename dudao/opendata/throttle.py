"""Per-IP rate limit of the public API (fixed one-minute windows in the shared cache: Redis in
production, so every server process counts together)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

WINDOW = 60


def client_ip(request: HttpRequest) -> str:
    """The caller's address as the rest of the platform reads it (REMOTE_ADDR, as in the
    audit log's request metadata)."""
    return str(request.META.get("REMOTE_ADDR") or "-")


def allow(request: HttpRequest) -> tuple[bool, int]:
    """Count this call; return (allowed, seconds until the window resets)."""
    now = int(time.time())
    window = now // WINDOW
    key = f"opendata:rate:{client_ip(request)}:{window}"
    cache.add(key, 0, WINDOW + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW + 5)
        count = 1
    return count <= settings.DUDAO_OPENDATA_RATE_PER_MINUTE, WINDOW - now % WINDOW
