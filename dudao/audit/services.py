"""Writing audit events. Called by every service function inside its transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.db import models, transaction

from dudao.audit import chain
from dudao.audit.models import AuditEvent
from dudao.core import requestmeta

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.orgs.models import Organisation


def record_event(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    organisation: Organisation | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    success: bool = True,
    object_repr: str | None = None,
    actor_name: str | None = None,
) -> AuditEvent:
    """Write one sealed audit event. Must run inside the caller's transaction for a change.

    A refused attempt (`success=False`) may be recorded outside any transaction — after the
    refused change rolled back — and is then committed on its own.

    `organisation` defaults to the object's owning organisation (its `organisation`
    attribute, or the object itself when it is an Organisation), else the actor's.
    """
    if success and obj is not None and not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event for a change must run inside the change's transaction")
    meta = requestmeta.current()
    if organisation is None and obj is not None:
        is_organisation = obj._meta.label_lower == "orgs.organisation"
        organisation = (
            cast("Organisation", obj) if is_organisation else getattr(obj, "organisation", None)
        )
    if organisation is None and actor is not None:
        organisation = actor.organisation
    label = object_repr if object_repr is not None else (str(obj) if obj is not None else "")
    event = AuditEvent(
        actor=actor,
        actor_name=actor_name if actor_name is not None else (actor.username if actor else ""),
        organisation=organisation,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=_printable(label)[:200],
        before=before,
        after=after,
        reason=reason,
        success=success,
        request_id=meta.request_id,
        ip=meta.ip,
    )
    # Its own transaction when there is none (a refused attempt recorded after the rollback),
    # else part of the change's (no savepoint: an audit write that fails fails the change).
    # The head is read and extended under the chain lock, held until that transaction ends.
    with transaction.atomic(savepoint=False):
        chain.lock_head()
        chain.seal(event)
        event.save(force_insert=True)
    return event


def _printable(text: str) -> str:
    """Encode control characters so a crafted username cannot forge log lines (ASVS 16.4.1)."""
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)
