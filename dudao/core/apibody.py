"""The one JSON body parser for API endpoints that read the body *after* the scope check.

django-ninja validates a declared body before the handler runs, so a request for an object
outside the caller's scope would answer 422 (telling that the object exists) instead of 404.
Such endpoints declare no body parameter, look the object up in scope first, then call
``parse_body(request, Schema)``; ``body_doc(Schema)`` documents the body in the OpenAPI schema.
Errors have the API's usual 422 shape (``loc`` starting with "body").
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

import pydantic
from django.http import HttpRequest
from ninja import Schema
from ninja.errors import ValidationError

SchemaT = TypeVar("SchemaT", bound=Schema)


def parse_body(request: HttpRequest, schema: type[SchemaT]) -> SchemaT:
    """Validate the request's JSON body against ``schema`` (an empty body is ``{}``)."""
    try:
        raw = json.loads(request.body) if request.body else {}
    except (ValueError, UnicodeDecodeError):
        raise ValidationError([{"type": "json_invalid", "loc": ["body"]}]) from None
    try:
        return schema.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise ValidationError(
            [{**e, "loc": ["body", *e["loc"]]} for e in exc.errors(include_url=False)]
        ) from None


def body_doc(schema: type[Schema]) -> dict[str, Any]:
    """``openapi_extra`` for an endpoint whose body ``parse_body`` reads."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema.model_json_schema()}},
        }
    }
