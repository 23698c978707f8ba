"""督查督办 writes (`dudao.supervision.services`): configuration (thresholds are data)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.exceptions import (
    DomainError,
    full_clean_or_raise,
)
from dudao.core.policies import require_role
from dudao.core.snapshot import diff, snapshot
from dudao.core.versions import check_version
from dudao.supervision.models import (
    LightRule,
)

if TYPE_CHECKING:
    from dudao.accounts.models import User


# --- configuration (thresholds are data) -------------------------------------------------------


@transaction.atomic(durable=True)
def update_light_rule(
    *, actor: User, rule: LightRule, version: int | None = None, **changes: Any
) -> LightRule:
    """督查员 edits a rule's thresholds; takes effect at the next computation."""
    require_role(actor, Role.SUPERVISOR)
    rule = LightRule.objects.select_for_update().get(pk=rule.pk)
    check_version(rule, version, what="规则")
    allowed = {"label", "yellow_from", "red_from", "grey_from", "is_active"}
    if set(changes) - allowed:
        raise DomainError("不可修改的字段。")
    before = snapshot(rule)
    for key, value in changes.items():
        setattr(rule, key, value)
    full_clean_or_raise(rule)
    rule.version = F("version") + 1
    rule.save()
    rule.refresh_from_db()
    b, a = diff(before, snapshot(rule))
    record_event(
        actor=actor,
        action="supervision.rule_update",
        obj=rule,
        organisation=actor.organisation,
        before=b,
        after=a,
    )
    return rule
