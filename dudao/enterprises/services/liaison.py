"""Enterprise service set-up (督查员): liaison officers, enterprise accounts and the response
limits per demand category. Each change writes its audit event in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from dudao.accounts.models import User as UserModel
from dudao.audit.services import record_event
from dudao.core.exceptions import DomainError, full_clean_or_raise
from dudao.core.policies import require_role
from dudao.core.roles import Role
from dudao.core.snapshot import snapshot
from dudao.core.versions import check_version
from dudao.enterprises.models import (
    DemandCategory,
    DemandSlaRule,
    Enterprise,
    EnterpriseAccount,
    LiaisonAssignment,
)
from dudao.enterprises.services.service import in_scope

if TYPE_CHECKING:
    from dudao.accounts.models import User


# --- officers ----------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def assign_officer(
    *,
    actor: User,
    enterprise: Enterprise,
    officer: User,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
) -> LiaisonAssignment:
    """Make `officer` (a user of any unit with a business role) a liaison officer of
    `enterprise` (督查员, enterprise in scope). An earlier open assignment of the same officer
    is ended the day before."""
    require_role(actor, Role.SUPERVISOR)
    if not in_scope(actor, enterprise.pk):
        raise DomainError("企业不存在或不在您的管理范围内。")
    if not officer.is_active or not officer.has_business_role:
        raise DomainError("联企干部须为启用的业务账户。", field="officer")
    row = LiaisonAssignment(
        enterprise=enterprise,
        officer=officer,
        valid_from=valid_from,
        valid_to=valid_to,
        assigned_by=actor,
    )
    full_clean_or_raise(row)
    overlapping = LiaisonAssignment.objects.filter(
        enterprise=enterprise, officer=officer, valid_to__isnull=True, valid_from__lt=valid_from
    )
    for old in overlapping:
        old.valid_to = valid_from - dt.timedelta(days=1)
        old.version += 1
        old.save(update_fields=["valid_to", "version"])
    row.save()
    record_event(
        actor=actor,
        action="enterprises.liaison.assign",
        obj=row,
        organisation=enterprise.organisation,
        after={**snapshot(row), "officer_name": officer.full_name},
    )
    return row


@transaction.atomic(durable=True)
def end_assignment(
    *, actor: User, assignment: LiaisonAssignment, valid_to: dt.date, version: int | None
) -> LiaisonAssignment:
    require_role(actor, Role.SUPERVISOR)
    locked = (
        LiaisonAssignment.objects.visible_to(actor)
        .select_for_update()
        .filter(pk=assignment.pk)
        .first()
    )
    if locked is None:
        raise DomainError("联企记录不存在或不在您的管理范围内。")
    check_version(locked, version, what="联企记录")
    before = snapshot(locked)
    locked.valid_to = valid_to
    full_clean_or_raise(locked)
    locked.version += 1
    locked.save()
    record_event(
        actor=actor,
        action="enterprises.liaison.end",
        obj=locked,
        organisation=locked.enterprise.organisation,
        before=before,
        after=snapshot(locked),
    )
    return locked


@transaction.atomic(durable=True)
def bind_enterprise_account(*, actor: User, user: User, enterprise: Enterprise) -> None:
    """Bind an account holding the 企业 role to an enterprise in the actor's scope (督查员)."""
    require_role(actor, Role.SUPERVISOR)
    if not in_scope(actor, enterprise.pk):
        raise DomainError("企业不存在或不在您的管理范围内。")
    fresh = UserModel.objects.get(pk=user.pk)
    if fresh.roles != int(Role.ENTERPRISE):
        raise DomainError("只能绑定角色为“企业”的账户。", field="user")
    row, _ = EnterpriseAccount.objects.update_or_create(
        user=fresh, defaults={"enterprise": enterprise}
    )
    record_event(
        actor=actor,
        action="enterprises.account.bind",
        obj=row,
        organisation=enterprise.organisation,
        after={"user": fresh.username, "enterprise": enterprise.uscc},
    )


@transaction.atomic(durable=True)
def save_sla_rule(
    *, actor: User, category: str, workdays: int, source_doc: str = "", version: int | None
) -> DemandSlaRule:
    """Set the response limit of a category (督查员); applies to demands routed from now on."""
    require_role(actor, Role.SUPERVISOR)
    if category not in DemandCategory.values:
        raise DomainError("未知的诉求类别。", field="category")
    row = DemandSlaRule.objects.select_for_update().filter(category=category).first()
    before = snapshot(row) if row is not None else None
    if row is None:
        row = DemandSlaRule(category=category, workdays=workdays)
    else:
        check_version(row, version, what="办理时限")
        row.version += 1
    row.workdays = workdays
    row.source_doc = source_doc.strip()[:200]
    row.updated_at = timezone.now()
    full_clean_or_raise(row, validate_unique=False)
    row.save()
    record_event(
        actor=actor,
        action="enterprises.demand_sla.save",
        obj=row,
        organisation=actor.organisation,
        before=before,
        after=snapshot(row),
    )
    return row
