"""Reads of the audit log (审计管理员 only)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from dudao.audit import chain
from dudao.audit.models import AuditEvent, AuditEventQuerySet
from dudao.core.roles import Role

if TYPE_CHECKING:
    from dudao.accounts.models import User


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def list_events(
    actor: Any,
    *,
    q: str = "",
    action: str = "",
    organisation: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    success: str = "",
    object_type: str = "",
    object_id: str = "",
) -> AuditEventQuerySet:
    """Return the audit events the actor may read, newest first, filtered."""
    qs = AuditEvent.objects.visible_to(actor).select_related("organisation")
    if q:
        qs = qs.filter(Q(actor_name__icontains=q) | Q(object_repr__icontains=q) | Q(request_id=q))
    if action:
        qs = qs.filter(action=action)
    if organisation:
        qs = qs.filter(organisation_id=organisation)
    if date_from:
        qs = qs.filter(occurred_at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(occurred_at__lt=_day_start(date_to + dt.timedelta(days=1)))
    if success in ("1", "0"):
        qs = qs.filter(success=success == "1")
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    return qs


def get_event(actor: Any, pk: int) -> AuditEvent:
    """Return one audit event the actor may read, or raise Http404."""
    return get_object_or_404(AuditEvent.objects.visible_to(actor), pk=pk)


def organisation_choices(actor: User) -> QuerySet[Any]:
    """The organisations in the actor's scope, in tree order, for the log's unit filter.

    Reached through the event's foreign key so the audit app (below orgs) imports no orgs module.
    """
    model: Any = AuditEvent._meta.get_field("organisation").related_model
    manager: Any = model._default_manager
    choices: QuerySet[Any] = manager.visible_to(actor).order_by("path")
    return choices


def chain_status(actor: Any) -> chain.Result | None:
    """The whole log's hash-chain and anchor check, for the 审计管理员 (None for anyone else)."""
    if not actor.has_role(Role.AUDITADMIN):
        return None
    return chain.verify()


def last_actor_id(obj: Any, action: str) -> int | None:
    """The account that last did `action` on `obj` successfully (from the audit log), or None.
    A plain fact for the modules' own notifications (who submitted a report, say); not a view
    of the log, which stays with the 审计管理员."""
    return (
        AuditEvent.objects.filter(
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            action=action,
            success=True,
            actor__isnull=False,
        )
        .order_by("-pk")
        .values_list("actor_id", flat=True)
        .first()
    )


# Keys of before/after snapshots that are not model fields (a model field shows its own
# verbose name).
SNAPSHOT_LABELS = {
    "roles": "角色",
    "version": "版本",
    "count": "数量",
    "counts": "数量",
    "reason": "原因",
    "status": "状态",
    "ids": "对象",
    "organisation": "单位",
    "password_changed": "已修改密码",
}


def object_type_label(event: AuditEvent) -> str:
    """The Chinese name of the event's object type ("accounts.user" → "用户")."""
    from django.apps import apps

    if not event.object_type:
        return ""
    try:
        return str(apps.get_model(event.object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return "系统对象"


def _value_text(value: Any) -> str:
    if value is None or value in ("", [], {}):
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return "、".join(_value_text(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{_key_label(None, str(k))}：{_value_text(v)}" for k, v in value.items())
    return str(value)


def _key_label(model: Any, key: str) -> str:
    from django.core.exceptions import FieldDoesNotExist

    if model is not None:
        try:
            return str(model._meta.get_field(key).verbose_name)
        except FieldDoesNotExist:
            return SNAPSHOT_LABELS.get(key, key)
    return SNAPSHOT_LABELS.get(key, key)


def event_changes(event: AuditEvent) -> list[tuple[str, str, str, bool]]:
    """The event's before/after snapshots as rows (label, before, after, changed), the field
    names in Chinese and the values as text — never a raw dict or list."""
    from django.apps import apps

    try:
        model = apps.get_model(event.object_type) if event.object_type else None
    except (LookupError, ValueError):
        model = None
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    rows = []
    for key in [*before, *(k for k in after if k not in before)]:
        old, new = before.get(key), after.get(key)
        rows.append((_key_label(model, key), _value_text(old), _value_text(new), old != new))
    if not isinstance(event.before, dict) and event.before is not None:
        rows.append(("变更前", _value_text(event.before), "", True))
    if not isinstance(event.after, dict) and event.after is not None:
        rows.append(("变更后", "", _value_text(event.after), True))
    return rows
