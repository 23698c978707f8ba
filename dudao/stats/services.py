"""Writes of indicator values and settings: entry, review (draft → submitted → approved /
returned, approved → reopened as returned), imports and the [P] settings.

Every write is one transaction with exactly one audit event per changed value (an import is
one change and writes one event listing what it changed). An approved value is read by the
summary at once: the summary is computed from approved rows on every request, so there is no
roll-up to refresh and no batch job.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, overload

from django.db import transaction
from django.utils import timezone

from dudao.audit.services import record_event
from dudao.core.exceptions import (
    DomainError,
    InvalidTransition,
    full_clean_or_raise,
)
from dudao.core.policies import require_role
from dudao.core.roles import Role
from dudao.core.snapshot import diff, snapshot
from dudao.core.versions import check_version
from dudao.orgs.models import Organisation
from dudao.stats.models import Indicator, IndicatorValue, StatsSettings
from dudao.stats.models import annual_period as annual_period  # noqa: PLC0414 - re-export

if TYPE_CHECKING:
    from dudao.accounts.models import User

S = IndicatorValue.Status
ENTRY_ROLES = (Role.REPORTER, Role.REVIEWER, Role.SUPERVISOR)
REVIEW_ROLES = (Role.REVIEWER, Role.SUPERVISOR)
UNIT_KINDS = (
    Organisation.Kind.PARK_COMMITTEE,
    Organisation.Kind.COUNTY_GOV,
    Organisation.Kind.CITY_GOV,
    Organisation.Kind.PROVINCE_GOV,
)
EDITABLE = (S.DRAFT, S.RETURNED)
MAX_ABS = Decimal("1e15")


def current_month(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return today.replace(day=1)


def reporting_month(today: dt.date | None = None) -> dt.date:
    """The latest month that can be reported: last month (a month's 1–N月累计 exists only
    once the month is over, so December is filled in January)."""
    first = current_month(today)
    return (first - dt.timedelta(days=1)).replace(day=1)


def check_unit(actor: User, organisation: Organisation) -> None:
    """Refuse a unit outside the actor's scope or of a kind that reports no indicators."""
    if not Organisation.objects.visible_to(actor).filter(pk=organisation.pk).exists():
        raise DomainError("填报单位不存在或不在您的管理范围内。", field="organisation")
    if organisation.kind not in UNIT_KINDS:
        raise DomainError(
            f"“{organisation.name}”不是指标填报单位（应为园区管委会、县（市、区）、市或省）。",
            field="organisation",
        )


@dataclass(frozen=True)
class ValueInput:
    """One value as entered: amounts in the indicator's unit, the rate in percent."""

    value: Decimal
    yoy_percent: Decimal | None = None
    base: Decimal | None = None
    source: str = IndicatorValue.Source.SELF
    note: str = ""


def value_problem(  # noqa: PLR0911 - one return per rule reads best
    indicator: Indicator,
    period: dt.date,
    data: ValueInput,
    previous_cumulative: Decimal | None,
    *,
    today: dt.date | None = None,
) -> tuple[str, str] | None:
    """Return (field, Chinese message) when the value breaks a rule, else None.

    Shared by the entry grid, the API and the importers so a rule is stated once.
    """
    if not indicator.is_active:
        return "indicator", f"指标“{indicator.name}”已停用。"
    if indicator.is_formula:
        return "indicator", f"“{indicator.name}”是公式指标，由系统计算，不能填报。"
    if period > current_month(today):
        return "period", f"{period:%Y-%m} 是未来月份，不能填报。"
    if period > reporting_month(today):
        return "period", (
            f"{period:%Y-%m} 尚未结束，本月数据须在月末之后填报"
            f"（目前最近可填报的月份为 {reporting_month(today):%Y-%m}）。"
        )
    if indicator.is_annual and period.month != 12:
        return "period", (
            f"“{indicator.name}”是年度指标，只有全年数：统计期请填 {period.year}-12"
            f"（{period.year}年全年）。"
        )
    if (
        period.month == 1
        and indicator.kind == Indicator.Kind.FLOW
        and not indicator.january_published
    ):
        return "period", f"“{indicator.name}”1月不单独发布，请在2月填报1–2月累计数。"
    for name, number in (("value", data.value), ("base", data.base)):
        if number is not None and abs(number) >= MAX_ABS:
            return name, "数值超出范围。"
    if data.yoy_percent is not None and abs(data.yoy_percent) >= Decimal("100000"):
        return "yoy_percent", "同比增速超出范围。"
    if indicator.price_basis == Indicator.PriceBasis.COMPARABLE and data.yoy_percent is None:
        return "yoy_percent", f"“{indicator.name}”按可比价计算，须填报统计部门发布的同比增速。"
    if (
        indicator.kind == Indicator.Kind.FLOW
        and previous_cumulative is not None
        and data.value < previous_cumulative
        and not data.note.strip()
    ):
        return "note", (
            f"1–{period.month}月累计数（{data.value}）小于上月累计数（{previous_cumulative}）。"
            "如系数据修订，请在“说明”中注明原因。"
        )
    return None


def previous_cumulative(
    organisation_id: int, indicator: Indicator, period: dt.date
) -> Decimal | None:
    """Return last month's 1–N月 value of the same year (None in January/February or if absent)."""
    if indicator.kind != Indicator.Kind.FLOW or period.month <= 1:
        return None
    prev = period.replace(month=period.month - 1)
    return (
        IndicatorValue.objects.filter(
            organisation_id=organisation_id, indicator=indicator, period=prev
        )
        .values_list("value", flat=True)
        .first()
    )


@overload
def _q4(number: Decimal) -> Decimal: ...
@overload
def _q4(number: Decimal | None) -> Decimal | None: ...


def _q4(number: Decimal | None) -> Decimal | None:
    """Quantize to the 4 decimals stored, so an unchanged value compares equal."""
    return None if number is None else number.quantize(Decimal("0.0001"))


def _label(value: IndicatorValue) -> str:
    return f"{value.organisation.name} {value.period:%Y-%m} {value.indicator.name}"


def _check_state(
    row: IndicatorValue, version: int | None, allowed: Iterable[str], refusal: str
) -> None:
    """Refuse a stale version (409 with the current values) or a status not in ``allowed``."""
    check_version(row, version, what="数值")
    if row.status not in allowed:
        raise InvalidTransition(f"{_label(row)}状态为“{row.get_status_display()}”，{refusal}")


@transaction.atomic(durable=True)
def save_value(
    *,
    actor: User,
    organisation: Organisation,
    indicator: Indicator,
    period: dt.date,
    data: ValueInput,
    version: int | None = None,
) -> IndicatorValue:
    """Create or edit one value (draft or returned) for a unit in the actor's scope."""
    require_role(actor, *ENTRY_ROLES)
    check_unit(actor, organisation)
    period = period.replace(day=1)
    problem = value_problem(
        indicator, period, data, previous_cumulative(organisation.pk, indicator, period)
    )
    if problem:
        raise DomainError(problem[1], field=problem[0])
    row = (
        IndicatorValue.objects.select_for_update()
        .filter(organisation=organisation, indicator=indicator, period=period)
        .first()
    )
    before: dict[str, Any] = {}
    if row is None:
        row = IndicatorValue(organisation=organisation, indicator=indicator, period=period)
    else:
        _check_state(row, version, EDITABLE, "不能修改（已审核的数据须由审核员退回后修改）。")
        before = snapshot(row)
    row.value = _q4(data.value)
    row.yoy_percent = _q4(data.yoy_percent)
    row.base = _q4(data.base)
    row.source = data.source
    row.note = data.note.strip()
    row.entered_by = actor
    full_clean_or_raise(row, exclude=["organisation", "indicator"], validate_unique=False)
    if before:
        after = snapshot(row)
        old, new = diff(before, after)
        if not new or set(new) <= {"entered_by_id"}:
            return row
        row.version += 1
        row.updated_at = timezone.now()
        row.save()
        record_event(actor=actor, action="stats.value.update", obj=row, before=old, after=new)
    else:
        row.save()
        record_event(actor=actor, action="stats.value.create", obj=row, after=snapshot(row))
    return row


def _transition(
    *,
    actor: User,
    row: IndicatorValue,
    allowed_from: Iterable[str],
    to: str,
    action: str,
    roles: tuple[Role, ...],
    reason: str = "",
    version: int | None = None,
) -> IndicatorValue:
    require_role(actor, *roles)
    check_unit(actor, row.organisation)
    locked = IndicatorValue.objects.select_for_update().get(pk=row.pk)
    _check_state(locked, version, allowed_from, "不能执行此操作。")
    before = snapshot(locked)
    locked.status = to
    if to in (S.APPROVED, S.RETURNED):
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
    locked.return_reason = reason if to == S.RETURNED else ""
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save()
    old, new = diff(before, snapshot(locked))
    record_event(actor=actor, action=action, obj=locked, before=old, after=new, reason=reason)
    return locked


@transaction.atomic
def _submit_value(
    *, actor: User, row: IndicatorValue, version: int | None = None
) -> IndicatorValue:
    """The body of `submit_value`, for services of this app that compose it in their own
    transaction (a public service is durable and cannot be nested)."""
    return _transition(
        actor=actor,
        row=row,
        allowed_from=EDITABLE,
        to=S.SUBMITTED,
        action="stats.value.submit",
        roles=ENTRY_ROLES,
        version=version,
    )


@transaction.atomic(durable=True)
def submit_value(*, actor: User, row: IndicatorValue, version: int | None = None) -> IndicatorValue:
    """报送: draft/returned → submitted."""
    return _submit_value(actor=actor, row=row, version=version)


@transaction.atomic
def _approve_value(
    *, actor: User, row: IndicatorValue, version: int | None = None
) -> IndicatorValue:
    """The body of `approve_value`, for services of this app that compose it in their own
    transaction (a public service is durable and cannot be nested)."""
    return _transition(
        actor=actor,
        row=row,
        allowed_from=(S.SUBMITTED,),
        to=S.APPROVED,
        action="stats.value.approve",
        roles=REVIEW_ROLES,
        version=version,
    )


@transaction.atomic(durable=True)
def approve_value(
    *, actor: User, row: IndicatorValue, version: int | None = None
) -> IndicatorValue:
    """审核通过: submitted → approved (the summary shows it at once)."""
    return _approve_value(actor=actor, row=row, version=version)


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写退回原因。", field="reason")
    return reason[:200]


@transaction.atomic
def _return_value(
    *, actor: User, row: IndicatorValue, reason: str, version: int | None = None
) -> IndicatorValue:
    """The body of `return_value`, for services of this app that compose it in their own
    transaction (a public service is durable and cannot be nested)."""
    return _transition(
        actor=actor,
        row=row,
        allowed_from=(S.SUBMITTED, S.APPROVED),
        to=S.RETURNED,
        action="stats.value.return",
        roles=REVIEW_ROLES,
        reason=_require_reason(reason),
        version=version,
    )


@transaction.atomic(durable=True)
def return_value(
    *, actor: User, row: IndicatorValue, reason: str, version: int | None = None
) -> IndicatorValue:
    """退回: submitted → returned (reason required); approved → returned reopens it."""
    return _return_value(actor=actor, row=row, reason=reason, version=version)


@transaction.atomic(durable=True)
def transition_unit_period(
    *, actor: User, organisation: Organisation, period: dt.date, action: str, reason: str = ""
) -> int:
    """Submit, approve or return every eligible value of one unit and month; return the count."""
    rows = list(
        IndicatorValue.objects.filter(organisation=organisation, period=period)
        .select_related("organisation", "indicator")
        .order_by("indicator__sort_order")
    )
    if action == "submit":
        targets = [r for r in rows if r.status in EDITABLE]
        for row in targets:
            _submit_value(actor=actor, row=row)
    elif action == "approve":
        targets = [r for r in rows if r.status == S.SUBMITTED]
        for row in targets:
            _approve_value(actor=actor, row=row)
    elif action == "return":
        reason = _require_reason(reason)
        targets = [r for r in rows if r.status == S.SUBMITTED]
        for row in targets:
            _return_value(actor=actor, row=row, reason=reason)
    else:
        raise DomainError("未知操作。")
    if not targets:
        check_unit(actor, organisation)
        raise DomainError("没有可执行此操作的数据。")
    return len(targets)


@transaction.atomic(durable=True)
def update_settings(*, actor: User, version: int, **fields: Any) -> StatsSettings:
    """Change the [P] formatting rules (督查员 only)."""
    require_role(actor, Role.SUPERVISOR)
    row = StatsSettings.objects.select_for_update().order_by("pk").first() or StatsSettings()
    if row.pk:
        check_version(row, version, what="设置")
    before = snapshot(row) if row.pk else {}
    for name in (
        "gap_mode",
        "drop_trailing_zero_in_prose",
        "rate_decimals",
        "change_prefix",
        "cluster_subject",
    ):
        if name in fields:
            setattr(row, name, fields[name])
    if "{n}" not in row.cluster_subject:
        raise DomainError("综述主语须包含 {n}（园区数）。", field="cluster_subject")
    full_clean_or_raise(row)
    row.version += 1
    row.updated_at = timezone.now()
    row.save()
    old, new = diff(before, snapshot(row))
    record_event(actor=actor, action="stats.settings.update", obj=row, before=old, after=new)
    return row


INDICATOR_FIELDS = (
    "name",
    "unit",
    "kind",
    "frequency",
    "decimals",
    "direction",
    "price_basis",
    "scope",
    "january_published",
    "numerator",
    "denominator",
    "factor",
    "divisor",
    "verb",
    "reference_label",
    "in_summary",
    "description",
    "sort_order",
    "is_active",
    "change_prefix",
    "change_words",
    "aliases",
    "plausible_min_park",
    "plausible_max_park",
    "plausible_min_county",
    "plausible_max_county",
    "plausible_min_city",
    "plausible_max_city",
    "parts_within_whole",
    "part_of",
)


@transaction.atomic
def _save_indicator(*, actor: User, code: str, **fields: Any) -> tuple[Indicator, str]:
    """The body of `save_indicator`, for services of this app that compose it in their own
    transaction (a public service is durable and cannot be nested)."""
    require_role(actor, Role.SUPERVISOR)
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise DomainError(f"未知字段：{'、'.join(sorted(unknown))}")
    row = Indicator.objects.select_for_update().filter(code=code).first()
    before = snapshot(row) if row is not None else {}
    if row is None:
        row = Indicator(code=code)
    elif "unit" in fields and fields["unit"] != row.unit and row.values.exists():
        raise DomainError(
            f"指标“{row.name}”已有数值，不能修改计量单位（{row.unit} → {fields['unit']}）。",
            field="unit",
        )
    for name, value in fields.items():
        setattr(row, name, value)
    if row.numerator_id is not None and row.numerator_id == row.pk:
        raise DomainError("公式指标的分子不能是它自己。", field="numerator")
    if row.part_of_id is not None and row.part_of_id == row.pk:
        raise DomainError("所属总量指标不能是它自己。", field="part_of")
    full_clean_or_raise(row, exclude=["numerator", "denominator", "part_of"])
    if before:
        old, new = diff(before, snapshot(row))
        if not new:
            return row, "unchanged"
        row.version += 1
        row.save()
        record_event(actor=actor, action="stats.indicator.update", obj=row, before=old, after=new)
        return row, "updated"
    row.save()
    record_event(actor=actor, action="stats.indicator.create", obj=row, after=snapshot(row))
    return row, "created"


@transaction.atomic(durable=True)
def save_indicator(*, actor: User, code: str, **fields: Any) -> tuple[Indicator, str]:
    """Create or update one catalogue entry (督查员); return it and created/updated/unchanged.

    The unit of an indicator that already has values cannot change (the stored numbers would
    silently change meaning)."""
    return _save_indicator(actor=actor, code=code, **fields)


# Values computed by other modules live in stats.computed (it reads the rules above, so it is
# imported last); its names stay readable through this module, the public surface.
from dudao.stats.computed import (  # noqa: E402
    ComputedReport,
    ComputedValue,
    stored_computed,
    write_computed_values,
)

__all__ = ["ComputedReport", "ComputedValue", "stored_computed", "write_computed_values"]
