"""观摩督导 writes (`dudao.inspections.services`): Score sheets."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.exceptions import (
    DomainError,
    InvalidTransition,
    full_clean_or_raise,
)
from dudao.core.policies import require_role
from dudao.core.snapshot import diff, snapshot
from dudao.inspections.models import (
    Criterion,
    ScoreSheet,
    Tour,
)

if TYPE_CHECKING:
    from dudao.accounts.models import User
from dudao.inspections.services._base import HALF, S

# --- Score sheets ----------------------------------------------------------------------------


def _sheet_editable(sheet: ScoreSheet) -> None:
    """A sheet scored in a tour that has started keeps its criteria (past results rely on
    them): copy it and change the copy instead."""
    started = (
        Tour.objects.exclude(status=S.PLANNING)
        .filter(sites__sheet=sheet)
        .values_list("name", flat=True)
        .first()
    )
    if started is not None:
        raise InvalidTransition(
            f"“{sheet.name}”已在“{started}”中使用，不能再修改；请复制一份后修改副本。"
        )


@transaction.atomic(durable=True)
def save_criterion(
    *,
    actor: User,
    sheet: ScoreSheet,
    criterion: Criterion | None = None,
    name: str,
    max_points: Decimal,
    guidance: str = "",
    sort_order: int | None = None,
) -> Criterion:
    """Add a criterion to a sheet or change one (督查员; not on a sheet already scored)."""
    require_role(actor, Role.SUPERVISOR)
    _sheet_editable(sheet)
    if max_points % HALF != 0:
        raise DomainError("满分必须是0.5分的整数倍。", field="max_points")
    if criterion is not None and criterion.sheet_id != sheet.pk:
        raise DomainError("评分项不属于该评分表。")
    before = snapshot(criterion) if criterion is not None else None
    if criterion is None:
        last = sheet.criteria.order_by("-sort_order").values_list("sort_order", flat=True).first()
        criterion = Criterion(
            sheet=sheet,
            code=f"c{sheet.criteria.count() + 1}",
            sort_order=(last or 0) + 10 if sort_order is None else sort_order,
        )
    elif sort_order is not None:
        criterion.sort_order = sort_order
    criterion.name = name.strip()
    criterion.max_points = max_points
    criterion.guidance = guidance.strip()
    full_clean_or_raise(criterion)
    criterion.save()
    after = snapshot(criterion)
    if before is not None:
        before, after = diff(before, after)
    record_event(
        actor=actor,
        action="inspections.sheet.update",
        obj=criterion,
        organisation=actor.organisation,
        before=before,
        after=after,
        object_repr=f"{sheet.name} · {criterion.name}",
    )
    return criterion


@transaction.atomic(durable=True)
def copy_sheet(*, actor: User, sheet: ScoreSheet, code: str, name: str) -> ScoreSheet:
    """Copy a sheet with its criteria (to change a sheet already used in a tour)."""
    require_role(actor, Role.SUPERVISOR)
    copy = ScoreSheet(code=code.strip(), name=name.strip(), kind=sheet.kind)
    full_clean_or_raise(copy)
    copy.save()
    Criterion.objects.bulk_create(
        Criterion(
            sheet=copy,
            code=c.code,
            name=c.name,
            max_points=c.max_points,
            guidance=c.guidance,
            sort_order=c.sort_order,
        )
        for c in sheet.criteria.all()
    )
    record_event(
        actor=actor,
        action="inspections.sheet.copy",
        obj=copy,
        organisation=actor.organisation,
        after={**snapshot(copy), "copied_from": sheet.code},
    )
    return copy
