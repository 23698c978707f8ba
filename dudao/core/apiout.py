"""Trusted API output: rows a selector has already shaped exactly as the operation's response
schema (same field names and order, plain Python values of the schema's types) are rendered
straight to JSON with django-ninja's own encoder, skipping pydantic's validation of every row.

Hot read endpoints use it (a 50-row list or a 60-month history spent a quarter of its time
validating output it had just read from the database). The operation still declares its
``response=`` schema, so the OpenAPI document does not change; each such endpoint has a test
that validating the model objects through that schema gives byte-for-byte the same JSON, so
the two cannot drift apart.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from ninja.responses import NinjaJSONEncoder

CONTENT_TYPE = "application/json; charset=utf-8"


def render(data: Any) -> bytes:
    """The JSON bytes django-ninja's default renderer would produce for ``data``."""
    return json.dumps(data, cls=NinjaJSONEncoder).encode()


def trusted_response(data: Any, status: int = 200) -> HttpResponse:
    """The response for selector output that already has the response schema's shape."""
    return HttpResponse(render(data), status=status, content_type=CONTENT_TYPE)


def paged(items: list[dict[str, Any]], count: int) -> dict[str, Any]:
    """The body of a limit/offset page (dudao.core.pagination): items, then the total."""
    return {"items": items, "count": count}
