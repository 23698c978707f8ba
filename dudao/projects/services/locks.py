"""Month locks, quarter targets and the module's settings (supervisor)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.bounds import check_year
from dudao.core.exceptions import (
    DomainError,
    InvalidTransition,
    full_clean_or_raise,
)
from dudao.core.policies import require_role
from dudao.core.snapshot import diff, snapshot
from dudao.orgs.models import Organisation
from dudao.projects.models import (
    MonthLock,
    ProjectSettings,
    QuarterTarget,
)
from dudao.projects.rules import quarter_of
from dudao.projects.selectors import (
    locked_months,
    locks_in_scope,
    months_text,
    pending_reports,
    report_deadline,
)
from dudao.projects.signals import month_locked

if TYPE_CHECKING:
    from dudao.accounts.models import User

from dudao.projects.services._base import (
    SETTINGS_FIELDS,
    S,
    _bump,
    _check_version,
    _county_in_scope,
)
from dudao.projects.services.reports import (
    _approve_after,
    _approve_change,
    _check_period,
    _return_after,
    _return_change,
    _transition,
)

# What to do with the month's reports awaiting review when locking it.
PENDING_APPROVE = "approve"
PENDING_RETURN = "return"


def pending_message(year: int, month: int, count: int) -> str:
    """Why a month with reports awaiting review is not locked as asked (the page and the API)."""
    return (
        f"{year}年{month}月还有 {count} 份月报已报送、尚未审核，锁定后将不能再审核。"
        "请等审核员审核完毕后再锁定，或选择将这些月报一并审核通过或退回（须填写原因）后锁定。"
    )


@transaction.atomic(durable=True)
def lock_month(
    *,
    actor: User,
    year: int,
    month: int,
    county: Organisation | None = None,
    pending: str = "",
    reason: str = "",
) -> MonthLock:
    """Lock a month for one county or city-wide (supervisor, after the deadline).

    Reports of the month awaiting review would be frozen unreviewed, so the lock is refused
    while there are any, unless `pending` says to approve them or to return them (with
    `reason`) first — each one an audited transition in this same transaction."""
    require_role(actor, Role.SUPERVISOR)
    _check_period(year, month)
    deadline = report_deadline(year, month)
    if timezone.localdate() <= deadline.due:
        raise DomainError(f"报送截止日为 {deadline.due}，截止后才能锁定。")
    if county is not None:
        _county_in_scope(actor, county)
    existing = MonthLock.objects.filter(year=year, month=month, is_active=True)
    if existing.filter(county__isnull=True).exists() or (
        county is not None and existing.filter(county=county).exists()
    ):
        raise InvalidTransition(f"{year}年{month}月已锁定。")
    _settle_pending(actor, year, month, county, pending=pending, reason=reason)
    # The month's light thresholds are fixed by its first lock (a later lock of the same month
    # for another county keeps them, so one month is never coloured two ways).
    earlier = MonthLock.objects.filter(year=year, month=month, is_active=True)
    thresholds = (
        next(
            (
                t
                for t in earlier.order_by("locked_at", "pk").values_list("thresholds", flat=True)
                if t
            ),
            None,
        )
        or ProjectSettings.current().light_thresholds()
    )
    lock = MonthLock.objects.create(
        county=county, year=year, month=month, locked_by=actor, thresholds=thresholds
    )
    record_event(
        actor=actor,
        action="project.month_lock",
        obj=lock,
        organisation=county or actor.organisation,
        after=snapshot(lock),
    )
    month_locked.send(sender=MonthLock, actor=actor, lock=lock, year=year, month=month)
    return lock


def _settle_pending(
    actor: User,
    year: int,
    month: int,
    county: Organisation | None,
    *,
    pending: str,
    reason: str,
) -> None:
    waiting = pending_reports(year, month, county.pk if county is not None else None)
    if not waiting:
        return
    reason = (reason or "").strip()
    if pending == PENDING_APPROVE:
        for report in waiting:
            _transition(
                actor=actor,
                report=report,
                version=None,
                request_id=None,
                action="approve",
                role=Role.SUPERVISOR,
                allowed=(S.SUBMITTED,),
                verb="审核通过",
                change=_approve_change(actor),
                after_save=_approve_after,
                reason=f"锁定{year}年{month}月前一并审核通过",
            )
    elif pending == PENDING_RETURN:
        if not reason:
            raise DomainError("退回必须填写原因。", field="reason")
        for report in waiting:
            _transition(
                actor=actor,
                report=report,
                version=None,
                request_id=None,
                action="return",
                role=Role.SUPERVISOR,
                allowed=(S.SUBMITTED,),
                verb="退回",
                change=_return_change(actor, reason),
                after_save=_return_after,
                reason=reason,
            )
    else:
        raise DomainError(pending_message(year, month, len(waiting)), field="pending")


@transaction.atomic(durable=True)
def unlock_month(*, actor: User, lock: MonthLock, reason: str) -> MonthLock:
    """Unlock (supervisor, with a reason); the lock row stays as history."""
    require_role(actor, Role.SUPERVISOR)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("解锁必须填写原因。", field="reason")
    # scope before existence: the same lock scope as the page and the API (404 there)
    lock = locks_in_scope(actor).select_for_update().get(pk=lock.pk)
    if not lock.is_active:
        raise InvalidTransition("该锁定已解除。")
    before = snapshot(lock)
    lock.is_active = False
    lock.unlocked_by = actor
    lock.unlocked_at = timezone.now()
    lock.unlock_reason = reason[:300]
    lock.save()
    b, a = diff(before, snapshot(lock))
    record_event(
        actor=actor,
        action="project.month_unlock",
        obj=lock,
        organisation=lock.county or actor.organisation,
        before=b,
        after=a,
        reason=reason,
    )
    return lock


@transaction.atomic(durable=True)
def set_quarter_target(
    *, actor: User, county: Organisation, year: int, quarter: int, metric: str, target: int
) -> QuarterTarget:
    require_role(actor, Role.SUPERVISOR)
    _county_in_scope(actor, county)
    if metric not in QuarterTarget.Metric.values:
        raise DomainError("未知的目标指标。", field="metric")
    if not 1 <= quarter <= 4:
        raise DomainError("季度应为 1–4。", field="quarter")
    if target < 0:
        raise DomainError("目标个数不能为负数。", field="target")
    check_year(year, label="年度", field="year")
    row: QuarterTarget | None = (
        QuarterTarget.objects.select_for_update()
        .filter(county=county, year=year, quarter=quarter, metric=metric)
        .first()
    )
    if row is not None and row.target == target:
        return row  # nothing changed: no version, no event
    quarter_months = [m for m in locked_months(county.pk, year) if quarter_of(m) == quarter]
    if quarter_months:
        raise DomainError(
            f"{year}年{months_text(quarter_months)}已锁定，第{quarter}季度目标不能修改"
            "（已锁定月份的数据按原目标计算）。如确需修改，请先由督查人员说明原因解锁。",
            field="target",
        )
    before = snapshot(row) if row else None
    if row is None:
        row = QuarterTarget(county=county, year=year, quarter=quarter, metric=metric, target=target)
    else:
        row.target = target
        row.version += 1
    row.save()
    after = snapshot(row)
    b, a = (None, after) if before is None else diff(before, after)
    record_event(
        actor=actor, action="project.target_set", obj=row, organisation=county, before=b, after=a
    )
    return row


@transaction.atomic(durable=True)
def update_settings(*, actor: User, version: int | None = None, **changes: Any) -> ProjectSettings:
    """Change thresholds and deadline rules (city supervisor)."""
    require_role(actor, Role.SUPERVISOR)
    settings = ProjectSettings.objects.select_for_update().get(pk=ProjectSettings.current().pk)
    _check_version(settings, version, "参数")
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise DomainError(f"不可修改的参数：{'、'.join(sorted(unknown))}")
    before = snapshot(settings)
    for field, value in changes.items():
        setattr(settings, field, value)
    if settings.lag_yellow_from > settings.lag_red_above:
        raise DomainError("黄灯起点不能大于红灯界限。", field="lag_yellow_from")
    if settings.start_yellow_from > settings.start_red_from:
        raise DomainError("开工延迟黄灯月数不能大于红灯月数。", field="start_yellow_from")
    if not 1 <= settings.deadline_days <= 31:
        raise DomainError("报送截止日应为 1–31。", field="deadline_days")
    full_clean_or_raise(settings)
    _bump(settings)
    settings.save()
    b, a = diff(before, snapshot(settings))
    record_event(actor=actor, action="project.settings_update", obj=settings, before=b, after=a)
    return settings
