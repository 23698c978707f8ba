"""Domain errors raised by services and mapped to HTTP by views and the API.

Messages are Chinese because they are shown to users as they are.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule refused the operation (HTTP 400)."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details


class NotAllowed(DomainError):
    """The actor's role does not allow this operation (HTTP 403)."""

    status_code = 403
    code = "forbidden"


class InvalidTransition(DomainError):
    """The object's state does not allow this transition (HTTP 409)."""

    status_code = 409
    code = "invalid_transition"


class StaleObject(DomainError):
    """The object changed since the client read it (HTTP 409, current values in details)."""

    status_code = 409
    code = "stale"


def _label(instance: Any, field: str) -> str:
    try:
        return str(instance._meta.get_field(field).verbose_name)
    except Exception:
        return ""


def full_clean_or_raise(
    instance: Any, *, exclude: list[str] | None = None, validate_unique: bool = True
) -> None:
    """Run the model's validation; raise its first message as a DomainError on that field (a
    missing required value reads “字段”不能为空, never Django's "这个值不能为 null")."""
    from django.core.exceptions import ValidationError
    from django.db import models

    # A null sent for a text field that may be left empty (a PATCH's `"measures": null`) clears
    # it: Django's validation skips empty values of blank fields, so without this the None
    # would reach the NOT NULL column and fail as a server error.
    for field in instance._meta.concrete_fields:
        if (
            isinstance(field, models.CharField | models.TextField)
            and field.blank
            and not field.null
            and getattr(instance, field.attname) is None
        ):
            setattr(instance, field.attname, "")
    try:
        instance.full_clean(exclude=exclude, validate_unique=validate_unique)
    except ValidationError as exc:
        field, errors = next(iter(exc.error_dict.items()))
        first = errors[0]
        label = _label(instance, field)
        if first.code in {"null", "blank"} and label:
            raise DomainError(f"“{label}”不能为空。", field=field) from None
        raise DomainError(first.messages[0], field=field) from None


def refuse_nulls(model: Any, changes: dict[str, Any]) -> None:
    """Refuse an explicit null for a field that cannot be empty (a PATCH's `"name": null`);
    keys that are not model fields are the service's to judge."""
    fields = {f.name: f for f in model._meta.concrete_fields}
    for name, value in changes.items():
        field = fields.get(name)
        if value is None and field is not None and not field.null:
            raise DomainError(f"“{field.verbose_name}”不能为空。", field=name)
