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


def full_clean_or_raise(
    instance: Any, *, exclude: list[str] | None = None, validate_unique: bool = True
) -> None:
    """Run the model's validation; raise its first message as a DomainError on that field."""
    from django.core.exceptions import ValidationError

    try:
        instance.full_clean(exclude=exclude, validate_unique=validate_unique)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=field) from None
