"""问题台账 writes (`dudao.problems.services`): configuration."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

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
from dudao.problems.models import ProblemCategory, ProblemLightRule

if TYPE_CHECKING:
    from dudao.accounts.models import User


# --- configuration ------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def update_category(
    *, actor: User, category: ProblemCategory, sla_days: int, sla_unit: str, is_active: bool
) -> ProblemCategory:
    """Change a category's time limit (SLA) and unit; applies to problems registered later."""
    require_role(actor, Role.SUPERVISOR)
    locked = ProblemCategory.objects.select_for_update().get(pk=category.pk)
    before = snapshot(locked)
    locked.sla_days = sla_days
    locked.sla_unit = sla_unit
    locked.is_active = is_active
    full_clean_or_raise(locked, validate_unique=False)
    if not 1 <= sla_days <= 3660:
        raise DomainError("默认整改时限应在 1 到 3660 之间。", field="sla_days")
    changed_before, changed_after = diff(before, snapshot(locked))
    if not changed_after:
        return locked
    locked.save()
    record_event(
        actor=actor,
        action="problem.category_update",
        obj=locked,
        before=changed_before,
        after=changed_after,
    )
    return locked


@transaction.atomic(durable=True)
def update_light_rule(
    *,
    actor: User,
    rule: ProblemLightRule,
    yellow_from: Decimal | None,
    red_from: Decimal | None,
    is_active: bool,
    version: int | None = None,
) -> ProblemLightRule:
    """督查员 changes a ledger light rule's thresholds (thresholds are data); the lights follow
    at the next daily run (`recompute_lights`) or the problem's next write. Stale → 409."""
    require_role(actor, Role.SUPERVISOR)
    locked = ProblemLightRule.objects.select_for_update().get(pk=rule.pk)
    check_version(locked, version, what=f"亮灯规则（{locked.label}）")
    if yellow_from is None and red_from is None and is_active:
        raise DomainError("启用的规则至少要有黄灯或红灯阈值之一。", field="yellow_from")
    if yellow_from is not None and red_from is not None:
        worse_first = (
            red_from < yellow_from if not locked.lower_is_worse else red_from > yellow_from
        )
        if worse_first:
            raise DomainError(
                "红灯阈值应比黄灯阈值更严重"
                + (
                    "（剩余越少越严重：红灯阈值应不大于黄灯阈值）。"
                    if locked.lower_is_worse
                    else "（数值越大越严重：红灯阈值应不小于黄灯阈值）。"
                ),
                field="red_from",
            )
    before = snapshot(locked)
    locked.yellow_from, locked.red_from, locked.is_active = yellow_from, red_from, is_active
    full_clean_or_raise(locked, validate_unique=False)
    changed_before, changed_after = diff(before, snapshot(locked))
    if not changed_after:
        return locked
    locked.version = F("version") + 1
    locked.save()
    locked.refresh_from_db()
    record_event(
        actor=actor,
        action="problem.light_rule_update",
        obj=locked,
        organisation=actor.organisation,
        before=changed_before,
        after=changed_after,
    )
    return locked
