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


def _number(value: Any) -> str:
    """A limit as written by people: 0.01, 100, 9223372036854775807 (no exponent, no 1E+2)."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


# The catalogue: Django's built-in validation codes → a Chinese sentence naming the field
# ({label}) and its limit (the ValidationError's params, limits written by `_number`).
FIELD_ERRORS: dict[str, str] = {
    "null": "“{label}”不能为空。",
    "blank": "“{label}”不能为空。",
    "required": "“{label}”不能为空。",
    "max_whole_digits": "“{label}”数值过大：整数部分最多 {max} 位。",
    "max_decimal_places": "“{label}”最多保留 {max} 位小数。",
    "max_length": "“{label}”最多 {limit_value} 个字符（现为 {show_value} 个）。",
    "min_length": "“{label}”至少 {limit_value} 个字符（现为 {show_value} 个）。",
    "max_value": "“{label}”不能大于 {limit_value}。",
    "min_value": "“{label}”不能小于 {limit_value}。",
    "invalid_choice": "“{label}”的取值“{value}”无效，请从给定的选项中选择。",
}
INVALID_CODES = frozenset({"invalid", "invalid_date", "invalid_datetime"})


def _max_digits(label: str, field: Any, params: dict[str, Any]) -> str:
    places = int(getattr(field, "decimal_places", 0) or 0)
    total = int(params.get("max", 0))
    if places:
        return (
            f"“{label}”数值过大：最多 {total} 位数字，其中整数部分最多 {total - places} 位、"
            f"小数最多 {places} 位。"
        )
    return f"“{label}”数值过大：最多 {total} 位数字。"


def _invalid(label: str, field: Any) -> str | None:
    """A value of the wrong kind, in words of the field's kind (None: keep the original)."""
    from django import forms
    from django.db import models

    kinds: tuple[tuple[Any, str], ...] = (
        (
            (models.DecimalField, models.FloatField, forms.DecimalField, forms.FloatField),
            "应为数字",
        ),
        ((models.IntegerField, forms.IntegerField), "应为整数"),
        ((models.DateTimeField, forms.DateTimeField), "应为有效的日期和时间，如 2026-01-31 09:30"),
        ((models.DateField, forms.DateField), "应为有效日期，如 2026-01-31"),
    )
    for kind, words in kinds:
        if isinstance(field, kind):
            return f"“{label}”{words}。"
    return None


def field_error_message(label: str, field: Any, code: str | None, params: Any) -> str | None:
    """The platform's one catalogue of field errors: a Chinese sentence naming the field and its
    limit for each of Django's built-in validation codes, or None for a code it does not know
    (the caller keeps the validator's own message, e.g. a constraint's Chinese message).

    `field` is the model (or form) field, `params` the ValidationError's params."""
    if not label or code is None:
        return None
    p = {k: _number(v) for k, v in params.items()} if isinstance(params, dict) else {}
    if code == "max_digits":
        return _max_digits(label, field, params if isinstance(params, dict) else {})
    if code in INVALID_CODES:
        return _invalid(label, field)
    template = FIELD_ERRORS.get(code)
    if template is None:
        return None
    try:
        return template.format(label=label, **p)
    except (KeyError, IndexError):
        return None


def full_clean_or_raise(
    instance: Any,
    *,
    exclude: list[str] | None = None,
    validate_unique: bool = True,
    validate_constraints: bool = True,
) -> None:
    """Run the model's validation; raise its first message as a DomainError on that field, in
    the words of the one catalogue (`field_error_message`): a missing value reads “字段”不能为空,
    never Django's "这个值不能为 null"; too many digits “计划投资”数值过大：最多 14 位数字……"""
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
        instance.full_clean(
            exclude=exclude,
            validate_unique=validate_unique,
            validate_constraints=validate_constraints,
        )
    except ValidationError as exc:
        field, errors = next(iter(exc.error_dict.items()))
        first = errors[0]
        label = _label(instance, field)
        try:
            model_field = instance._meta.get_field(field)
        except Exception:
            model_field = None
        message = field_error_message(label, model_field, first.code, first.params)
        raise DomainError(message or first.messages[0], field=field) from None


def refuse_nulls(model: Any, changes: dict[str, Any]) -> None:
    """Refuse an explicit null for a field that cannot be empty (a PATCH's `"name": null`);
    keys that are not model fields are the service's to judge."""
    fields = {f.name: f for f in model._meta.concrete_fields}
    for name, value in changes.items():
        field = fields.get(name)
        if value is None and field is not None and not field.null:
            raise DomainError(f"“{field.verbose_name}”不能为空。", field=name)
