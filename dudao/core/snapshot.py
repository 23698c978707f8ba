"""JSON-safe snapshots of model instances for audit before/after."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import uuid
from typing import Any

from django.db import models

SECRET_FIELDS = frozenset({"password", "token_hash"})


def jsonable(value: Any) -> Any:
    """Convert a field value to something json.dumps accepts without losing precision."""
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        # A stored file (a signed bulletin's .docx): its size and digest, not its bytes.
        data = bytes(value)
        return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """Return the instance's concrete field values (FKs as ids, secrets omitted)."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in SECRET_FIELDS:
            continue
        data[field.attname] = jsonable(getattr(instance, field.attname))
    return data


# Bookkeeping columns that change on every save and say nothing to an auditor.
BOOKKEEPING_FIELDS = frozenset({"version", "updated_at"})


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the keys whose values differ, bookkeeping columns left out, as (before, after)."""
    keys = [k for k in after if k not in BOOKKEEPING_FIELDS and before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
