"""What a dry run validated, kept for the commit of the same file (issue 18 item 3).

A clean dry run of a large import keeps its plan — the rows to write as plain tuples, with the
report — under (kind, user, the file's SHA-256, the call's options, today's date). The commit
of the same bytes by the same user takes it back (once) instead of reading and validating the
file again, but only when everything the validation read is unchanged: the importer passes a
`basis`, the plain tuples its lookups fetched (projects, stored rows with their versions,
locks, settings …), and at commit runs the same lookups again inside the write's transaction;
an equal basis means the file would validate to the very same plan. Any difference, an expired
or missing plan (another server process, a restart) is the full import, so keeping a plan never
changes what an import does — it only saves the parse and the per-row rules.

In process memory: a few plans (each a file's rows), STAGING_TTL long, nothing on disk.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

KEPT = 4  # plans kept at most (the newest)
TTL_SECONDS = 30 * 60  # as long as a staged upload (dudao.core.importflow.STAGING_TTL)


@dataclass
class _Plan:
    basis: Any
    plan: Any
    expires: float


_lock = threading.Lock()
_plans: OrderedDict[tuple[Any, ...], _Plan] = OrderedDict()


def _key(kind: str, user_id: int, data: bytes, options: tuple[Any, ...]) -> tuple[Any, ...]:
    digest = hashlib.sha256(data).hexdigest()
    return (kind, user_id, digest, options, timezone.localdate())


def keep(
    kind: str, user_id: int, data: bytes, options: tuple[Any, ...], *, basis: Any, plan: Any
) -> None:
    """Remember a dry run's `plan` of `data`, valid while its lookups still give `basis`."""
    key = _key(kind, user_id, data, options)
    now = time.monotonic()
    with _lock:
        for old in [k for k, p in _plans.items() if p.expires < now]:
            del _plans[old]
        _plans[key] = _Plan(basis, plan, now + TTL_SECONDS)
        _plans.move_to_end(key)
        while len(_plans) > KEPT:
            _plans.popitem(last=False)


def take(kind: str, user_id: int, data: bytes, options: tuple[Any, ...]) -> tuple[Any, Any] | None:
    """(basis, plan) kept by a dry run of the same file, user and options, removed (a plan is
    used once); None when there is none."""
    key = _key(kind, user_id, data, options)
    with _lock:
        found = _plans.pop(key, None)
    if found is None or found.expires < time.monotonic():
        return None
    return found.basis, found.plan


def stored_values(obj: Any) -> tuple[Any, ...]:
    """A model instance's stored values in column order: how a basis compares rows it read."""
    return tuple(getattr(obj, f.attname) for f in obj._meta.concrete_fields)


def forget() -> None:
    """Drop every kept plan (tests)."""
    with _lock:
        _plans.clear()
