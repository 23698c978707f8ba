"""问题台账 writes (`dudao.problems.services`): configuration."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.exceptions import (
    DomainError,
    full_clean_or_raise,
)
from dudao.core.policies import require_role
from dudao.core.snapshot import diff, snapshot
from dudao.problems.models import ProblemCategory

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
