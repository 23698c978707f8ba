"""Writes to parks: create and edit, status history, industries. 督查员 maintains the city's
parks (and other cities' parks for the provincial comparison); every change is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from dudao.audit.services import record_event
from dudao.core.exceptions import DomainError, full_clean_or_raise
from dudao.core.policies import require_role
from dudao.core.roles import Role
from dudao.core.snapshot import diff, snapshot
from dudao.core.versions import check_version
from dudao.orgs.models import Organisation
from dudao.parks.models import Park, ParkIndustry, ParkStatus

if TYPE_CHECKING:
    from dudao.accounts.models import User

EDITABLE_FIELDS = (
    "code",
    "name",
    "short_name",
    "kind",
    "level",
    "organisation",
    "county",
    "city_region",
    "planned_area_km2",
    "built_area_km2",
    "sort_order",
    "is_active",
)
MANAGER_ROLES = (Role.SUPERVISOR,)


def _check_links(actor: User, park: Park) -> None:
    visible = Organisation.objects.visible_to(actor)
    if park.organisation_id is not None:
        org = park.organisation
        if org is None or org.kind != Organisation.Kind.PARK_COMMITTEE:
            raise DomainError("管委会须为“产业集聚区管委会”类型的单位。", field="organisation")
        if not visible.filter(pk=org.pk).exists():
            raise DomainError("管委会不存在或不在您的管理范围内。", field="organisation")
        taken = Park.objects.filter(organisation=org).exclude(pk=park.pk).first()
        if taken is not None:
            raise DomainError(f"该管委会已对应园区“{taken.name}”。", field="organisation")
    if park.county_id is not None:
        county = park.county
        if county is None or county.kind != Organisation.Kind.COUNTY_GOV:
            raise DomainError("所在县（市、区）须为县（市、区）政府。", field="county")


@transaction.atomic
def _create_park(*, actor: User, **fields: Any) -> Park:
    """The body of `create_park`, for services of this app that compose it in their own
    transaction (a public service is durable and cannot be nested)."""
    require_role(actor, *MANAGER_ROLES)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"未知字段：{'、'.join(sorted(unknown))}")
    park = Park(**fields)
    _check_links(actor, park)
    full_clean_or_raise(park)
    park.save()
    record_event(actor=actor, action="parks.park.create", obj=park, after=snapshot(park))
    return park


@transaction.atomic(durable=True)
def create_park(*, actor: User, **fields: Any) -> Park:
    """Create a park (of our city, with its 管委会, or of another city, without)."""
    return _create_park(actor=actor, **fields)


@transaction.atomic
def _update_park(*, actor: User, park: Park, version: int, **fields: Any) -> Park:
    """The body of `update_park`, for services of this app that compose it in their own
    transaction (a public service is durable and cannot be nested)."""
    require_role(actor, *MANAGER_ROLES)
    locked = Park.objects.select_for_update().get(pk=park.pk)
    check_version(locked, version, what="园区信息")
    before = snapshot(locked)
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise DomainError(f"未知字段：{name}")
        setattr(locked, name, value)
    _check_links(actor, locked)
    full_clean_or_raise(locked)
    old, new = diff(before, snapshot(locked))
    if not new:
        return locked
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save()
    record_event(actor=actor, action="parks.park.update", obj=locked, before=old, after=new)
    return locked


@transaction.atomic(durable=True)
def update_park(*, actor: User, park: Park, version: int, **fields: Any) -> Park:
    """Edit a park's attributes; a stale version is refused with the current values."""
    return _update_park(actor=actor, park=park, version=version, **fields)


@transaction.atomic
def _add_status(
    *,
    actor: User,
    park: Park,
    status: str,
    valid_from: dt.date,
    document: str = "",
    merged_into: Park | None = None,
) -> ParkStatus:
    """The body of `add_status`, for services of this app that compose it in their own
    transaction (a public service is durable and cannot be nested)."""
    require_role(actor, *MANAGER_ROLES)
    if status == ParkStatus.Status.MERGED and merged_into is None:
        raise DomainError("整合入开发区时须指明整合入的园区。", field="merged_into")
    if merged_into is not None and merged_into.pk == park.pk:
        raise DomainError("园区不能整合入自身。", field="merged_into")
    later = park.statuses.filter(valid_from__gte=valid_from).first()
    if later is not None:
        raise DomainError(
            f"已有{later.valid_from}起的状态记录，新状态的起始日期须晚于它。", field="valid_from"
        )
    row = ParkStatus(
        park=park,
        status=status,
        valid_from=valid_from,
        document=document.strip(),
        merged_into=merged_into,
    )
    full_clean_or_raise(row, validate_unique=False)
    previous = park.statuses.filter(valid_to__isnull=True).first()
    if previous is not None:
        previous.valid_to = valid_from - dt.timedelta(days=1)
        previous.save(update_fields=["valid_to"])
    row.save()
    record_event(
        actor=actor,
        action="parks.status.add",
        obj=park,
        organisation=park.organisation or actor.organisation,
        after=snapshot(row),
    )
    return row


@transaction.atomic(durable=True)
def add_status(
    *,
    actor: User,
    park: Park,
    status: str,
    valid_from: dt.date,
    document: str = "",
    merged_into: Park | None = None,
) -> ParkStatus:
    """Start a new status period; the open period before it ends the day before."""
    return _add_status(
        actor=actor,
        park=park,
        status=status,
        valid_from=valid_from,
        document=document,
        merged_into=merged_into,
    )


@transaction.atomic
def _set_industries(
    *, actor: User, park: Park, industries: Sequence[tuple[str, str, str]]
) -> list[ParkIndustry]:
    """The body of `set_industries`, for services of this app that compose it in their own
    transaction (a public service is durable and cannot be nested)."""
    require_role(actor, *MANAGER_ROLES)
    before = [
        f"{i.role}:{i.industry_code}:{i.industry_name}"
        for i in park.industries.order_by("sort_order", "pk")
    ]
    keys = [(role, code.strip().upper()) for role, code, _ in industries]
    if len(set(keys)) != len(keys):
        raise DomainError("同一类别中行业重复。", field="industries")
    after = [f"{role}:{code.strip().upper()}:{name.strip()}" for role, code, name in industries]
    if before == after:
        return list(park.industries.order_by("sort_order", "pk"))
    park.industries.all().delete()
    rows = []
    for order, (role, code, name) in enumerate(industries):
        row = ParkIndustry(
            park=park,
            role=role,
            industry_code=code.strip().upper(),
            industry_name=name.strip(),
            sort_order=order,
        )
        full_clean_or_raise(row)
        rows.append(row)
    ParkIndustry.objects.bulk_create(rows)
    record_event(
        actor=actor,
        action="parks.industries.set",
        obj=park,
        organisation=park.organisation or actor.organisation,
        before={"industries": before},
        after={"industries": after},
    )
    return rows


@transaction.atomic(durable=True)
def set_industries(
    *, actor: User, park: Park, industries: Sequence[tuple[str, str, str]]
) -> list[ParkIndustry]:
    """Replace the park's 产业图谱 with (role, GB/T 4754 code, name) rows."""
    return _set_industries(actor=actor, park=park, industries=industries)
