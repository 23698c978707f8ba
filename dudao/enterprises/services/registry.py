"""The enterprise registry: create and edit (USCC normalised and unique, managing unit and park
in the actor's scope), status history, and annual evaluation figures with their sources."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from dudao.audit.services import record_event
from dudao.core.exceptions import DomainError, full_clean_or_raise
from dudao.core.policies import require_role
from dudao.core.roles import Role
from dudao.core.snapshot import diff, snapshot
from dudao.core.versions import check_version
from dudao.enterprises.models import AnnualValue, Enterprise, EnterpriseStatus
from dudao.enterprises.rules import DATA_ITEMS, UsccError, normalise_uscc
from dudao.orgs.models import Organisation
from dudao.parks.selectors import parks_in_scope

if TYPE_CHECKING:
    from dudao.accounts.models import User

# 督查员 keeps the registry (the city's, or a county's within its scope).
MANAGER_ROLES = (Role.SUPERVISOR,)
EDITABLE_FIELDS = (
    "uscc",
    "name",
    "organisation",
    "park",
    "industry_code",
    "above_scale",
    "land_own_mu",
    "land_leased_mu",
    "employees",
    "chain_node",
    "ungraded_class",
)


def _check(actor: User, enterprise: Enterprise) -> None:
    try:
        enterprise.uscc = normalise_uscc(enterprise.uscc)
    except UsccError as exc:
        raise DomainError(str(exc), field="uscc") from None
    taken = Enterprise.objects.filter(uscc=enterprise.uscc).exclude(pk=enterprise.pk).first()
    if taken is not None:
        raise DomainError(
            f"统一社会信用代码 {enterprise.uscc} 已登记为“{taken.name}”，不能重复登记。",
            field="uscc",
        )
    if enterprise.park_id is not None:
        if not parks_in_scope(actor).filter(pk=enterprise.park_id).exists():
            raise DomainError("所在园区不存在或不在您的管理范围内。", field="park")
        committee = enterprise.park.organisation if enterprise.park is not None else None
        if not enterprise.organisation_id and committee is not None:
            enterprise.organisation = committee
    if not enterprise.organisation_id:
        raise DomainError("须指定管理单位（园区管委会或县（市、区）政府）。", field="organisation")
    if not Organisation.objects.visible_to(actor).filter(pk=enterprise.organisation_id).exists():
        raise DomainError("管理单位不存在或不在您的管理范围内。", field="organisation")


@transaction.atomic
def _create_enterprise(*, actor: User, **fields: Any) -> Enterprise:
    require_role(actor, *MANAGER_ROLES)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"未知字段：{'、'.join(sorted(unknown))}")
    enterprise = Enterprise(**fields)
    _check(actor, enterprise)
    full_clean_or_raise(enterprise, validate_unique=False)
    enterprise.save()
    EnterpriseStatus.objects.create(
        enterprise=enterprise,
        status=enterprise.status,
        since=timezone.localdate(),
        note="登记",
        recorded_by=actor,
    )
    record_event(
        actor=actor,
        action="enterprises.enterprise.create",
        obj=enterprise,
        organisation=enterprise.organisation,
        after=snapshot(enterprise),
    )
    return enterprise


@transaction.atomic(durable=True)
def create_enterprise(*, actor: User, **fields: Any) -> Enterprise:
    """Register an enterprise (督查员, within the actor's scope)."""
    return _create_enterprise(actor=actor, **fields)


@transaction.atomic
def _update_enterprise(
    *, actor: User, enterprise: Enterprise, version: int | None, **fields: Any
) -> Enterprise:
    require_role(actor, *MANAGER_ROLES)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"未知字段：{'、'.join(sorted(unknown))}")
    locked = (
        Enterprise.objects.visible_to(actor).select_for_update().filter(pk=enterprise.pk).first()
    )
    if locked is None:
        raise DomainError("企业不存在或不在您的管理范围内。")
    check_version(locked, version, what="企业")
    before = snapshot(locked)
    for name, value in fields.items():
        setattr(locked, name, value)
    _check(actor, locked)
    full_clean_or_raise(locked, validate_unique=False)
    old, new = diff(before, snapshot(locked))
    if not new:
        return locked
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save()
    record_event(
        actor=actor,
        action="enterprises.enterprise.update",
        obj=locked,
        organisation=locked.organisation,
        before=old,
        after=new,
    )
    return locked


@transaction.atomic(durable=True)
def update_enterprise(
    *, actor: User, enterprise: Enterprise, version: int | None, **fields: Any
) -> Enterprise:
    """Edit an enterprise (optimistic `version`; a stale copy is refused with 409)."""
    return _update_enterprise(actor=actor, enterprise=enterprise, version=version, **fields)


@transaction.atomic(durable=True)
def set_status(
    *, actor: User, enterprise: Enterprise, status: str, since: dt.date, note: str = ""
) -> EnterpriseStatus:
    """Record a status change (投产/停产/注销) from `since`; the registry shows the latest."""
    require_role(actor, *MANAGER_ROLES)
    locked = (
        Enterprise.objects.visible_to(actor).select_for_update().filter(pk=enterprise.pk).first()
    )
    if locked is None:
        raise DomainError("企业不存在或不在您的管理范围内。")
    if status not in Enterprise.Status.values:
        raise DomainError("经营状态应为 投产、停产、注销 之一。", field="status")
    last = locked.statuses.order_by("-since", "-id").first()
    if last is not None and since < last.since:
        raise DomainError(
            f"起始日期不能早于上一次状态变更（{last.since:%Y-%m-%d}）。", field="since"
        )
    row = EnterpriseStatus(
        enterprise=locked, status=status, since=since, note=note[:200], recorded_by=actor
    )
    full_clean_or_raise(row)
    row.save()
    before = locked.status
    locked.status = status
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save(update_fields=["status", "version", "updated_at"])
    record_event(
        actor=actor,
        action="enterprises.enterprise.status",
        obj=locked,
        organisation=locked.organisation,
        before={"status": before},
        after={"status": status, "since": since.isoformat(), "note": note},
    )
    return row


def _save_annual_values(
    *,
    actor: User,
    enterprise: Enterprise,
    year: int,
    values: Mapping[str, tuple[Decimal | None, str]],
) -> tuple[int, int]:
    """Body of `save_annual_values` (no transaction of its own): returns (changed, unchanged)."""
    unknown = set(values) - set(DATA_ITEMS)
    if unknown:
        raise DomainError(f"未知数据项：{'、'.join(sorted(unknown))}")
    existing = {v.item: v for v in AnnualValue.objects.filter(enterprise=enterprise, year=year)}
    changed = unchanged = 0
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for item, (value, source) in values.items():
        row = existing.get(item)
        if value is None:
            if row is not None:
                before[item] = [str(row.value), row.source]
                after[item] = None
                row.delete()
                changed += 1
            continue
        if not source.strip():
            raise DomainError(f"“{DATA_ITEMS[item].label}”须注明数据来源。", field=item)
        if row is not None and row.value == value and row.source == source:
            unchanged += 1
            continue
        before[item] = None if row is None else [str(row.value), row.source]
        after[item] = [str(value), source]
        if row is None:
            row = AnnualValue(enterprise=enterprise, year=year, item=item)
        row.value = value
        row.source = source.strip()
        row.updated_at = timezone.now()
        full_clean_or_raise(row, validate_unique=False)
        row.save()
        changed += 1
    if changed:
        record_event(
            actor=actor,
            action="enterprises.annual_values.save",
            obj=enterprise,
            organisation=enterprise.organisation,
            before={"year": year, **before},
            after={"year": year, **after},
        )
    return changed, unchanged


@transaction.atomic(durable=True)
def save_annual_values(
    *,
    actor: User,
    enterprise: Enterprise,
    year: int,
    values: Mapping[str, tuple[Decimal | None, str]],
) -> tuple[int, int]:
    """Set an enterprise's figures for a year: item → (value, source); a None value removes the
    figure (it becomes missing again, never zero)."""
    require_role(actor, *MANAGER_ROLES)
    if not Enterprise.objects.visible_to(actor).filter(pk=enterprise.pk).exists():
        raise DomainError("企业不存在或不在您的管理范围内。")
    return _save_annual_values(actor=actor, enterprise=enterprise, year=year, values=values)
