"""观摩督导 writes (`dudao.inspections.services`): Tours."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.exceptions import (
    DomainError,
    InvalidTransition,
    full_clean_or_raise,
)
from dudao.core.policies import require_role
from dudao.core.snapshot import diff, jsonable, snapshot
from dudao.core.versions import check_version
from dudao.inspections import completeness, selectors
from dudao.inspections.models import (
    ScoreSheet,
    Tour,
    TourSheet,
    UnitGroup,
    UnitResult,
)

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.projects.models import ProjectCategory
from dudao.inspections.services._base import (
    DEFAULT_GROUPS,
    RULE_FIELDS,
    TOUR_FIELDS,
    S,
    _bump,
    _organiser,
)

# --- Tours -----------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def create_tour(
    *,
    actor: User,
    name: str,
    period: str,
    start_date: dt.date,
    end_date: dt.date,
    level: str = Tour.Level.CITY,
    method: str = Tour.Method.TRIMMED_MEAN,
    unit_groups: tuple[str, ...] | list[str] = DEFAULT_GROUPS,
    sheets: Mapping[ProjectCategory, tuple[ScoreSheet, Decimal]] | None = None,
    **rules: Any,
) -> Tour:
    """Create a tour organised by the actor's office, with its ranking groups and the score
    sheet (and weight) of each site type (default: every active site sheet whose code is a
    project category's code, weight 1)."""
    require_role(actor, Role.SUPERVISOR)
    unknown = set(rules) - set(TOUR_FIELDS)
    if unknown:
        raise DomainError(f"不可设置的字段：{'、'.join(sorted(unknown))}")
    if "county_sheet" not in rules:
        rules["county_sheet"] = ScoreSheet.objects.filter(
            kind=ScoreSheet.Kind.COUNTY, is_active=True
        ).first()
    tour = Tour(
        organiser=actor.organisation,
        name=name.strip(),
        period=period.strip(),
        start_date=start_date,
        end_date=end_date,
        level=level,
        method=method,
        **rules,
    )
    full_clean_or_raise(tour)
    names = [n.strip() for n in unit_groups if n.strip()]
    if not names:
        raise DomainError("至少需要一个排名分组。", field="unit_groups")
    if len(set(names)) != len(names):
        raise DomainError("排名分组不能重名。", field="unit_groups")
    tour.save()
    UnitGroup.objects.bulk_create(
        UnitGroup(tour=tour, name=n, sort_order=i) for i, n in enumerate(names)
    )
    if sheets is None:
        by_code = {
            s.code: s for s in ScoreSheet.objects.filter(kind=ScoreSheet.Kind.SITE, is_active=True)
        }
        sheets = {
            c: (by_code[c.code], Decimal(1))
            for c in selectors.project_categories().filter(code__in=by_code)
        }
    TourSheet.objects.bulk_create(
        TourSheet(tour=tour, category=c, sheet=s, weight=w) for c, (s, w) in sheets.items()
    )
    after = snapshot(tour)
    after["unit_groups"] = names
    after["sheets"] = {c.name: [s.code, str(w)] for c, (s, w) in sheets.items()}
    record_event(actor=actor, action="inspections.tour.create", obj=tour, after=after)
    return tour


@transaction.atomic(durable=True)
def update_tour(*, actor: User, tour: Tour, version: int | None = None, **changes: Any) -> Tour:
    """Change a tour's attributes; scoring rules only while planning; stale edits → 409."""
    tour = _organiser(actor, tour)
    check_version(tour, version, what="观摩活动")
    unknown = set(changes) - set(TOUR_FIELDS)
    if unknown:
        raise DomainError(f"不可修改的字段：{'、'.join(sorted(unknown))}")
    _not_over(tour)
    before = snapshot(tour)
    if tour.status != S.PLANNING and any(
        getattr(tour, f) != v for f, v in changes.items() if f in RULE_FIELDS
    ):
        raise InvalidTransition("评分已开始，评分规则不能再修改。")
    if tour.status != S.PLANNING and any(getattr(tour, f) != v for f, v in changes.items()):
        raise InvalidTransition("观摩活动已开始评分，不能再修改；如需调整请联系系统管理员。")
    for field, value in changes.items():
        setattr(tour, field, value.strip() if isinstance(value, str) else value)
    full_clean_or_raise(tour)
    if not diff(before, snapshot(tour))[1]:  # a no-op edit writes nothing: no bump, no event
        return tour
    tour.version = F("version") + 1
    tour.updated_at = timezone.now()
    tour.save()
    tour.refresh_from_db()
    b, a = diff(before, snapshot(tour))
    record_event(actor=actor, action="inspections.tour.update", obj=tour, before=b, after=a)
    return tour


def _not_over(tour: Tour) -> None:
    if tour.status == S.CANCELLED:
        raise InvalidTransition("观摩活动已取消。")
    if tour.is_locked:
        raise InvalidTransition("观摩结果已发布，活动已锁定。")


@transaction.atomic(durable=True)
def cancel_tour(*, actor: User, tour: Tour, reason: str, version: int | None = None) -> Tour:
    """Cancel a tour before scoring starts (a reason is required and audited). The tour stays
    on record, marked 已取消; nothing of it can change any more."""
    tour = _organiser(actor, tour)
    check_version(tour, version, what="观摩活动")
    _not_over(tour)
    if tour.status != S.PLANNING:
        raise InvalidTransition("观摩活动已开始评分，不能取消。")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写取消原因。", field="reason")
    if len(reason) > 200:
        raise DomainError("取消原因不能超过200个字。", field="reason")
    tour.status = S.CANCELLED
    tour.cancel_reason = reason
    tour.save(update_fields=["status", "cancel_reason"])
    _bump(tour)
    tour.refresh_from_db()
    record_event(
        actor=actor,
        action="inspections.tour.cancel",
        obj=tour,
        before={"status": S.PLANNING},
        after={"status": S.CANCELLED},
        reason=reason,
    )
    return tour


class SheetsMissing(InvalidTransition):
    """Score sheets are still missing: publishing needs a reason (details: per judge)."""

    code = "missing_sheets"


TRANSITIONS = {
    "open": (S.PLANNING, S.SCORING, "开始评分"),
    "close": (S.SCORING, S.CLOSED, "结束评分"),
    "reopen": (S.CLOSED, S.SCORING, "重新开放评分"),
}


@transaction.atomic(durable=True)
def transition_tour(*, actor: User, tour: Tour, action: str) -> Tour:
    """open (planning → scoring), close (scoring → closed), reopen (closed → scoring)."""
    tour = _organiser(actor, tour)
    if action not in TRANSITIONS:
        raise DomainError(f"未知操作：{action}")
    source, target, label = TRANSITIONS[action]
    if tour.status != source:
        raise InvalidTransition(f"当前状态为“{tour.get_status_display()}”，不能{label}。")
    if action == "open":
        if not tour.sites.exists():
            raise DomainError("还没有观摩点位，不能开始评分。")
        if not tour.judges.exists():
            raise DomainError("还没有评委，不能开始评分。")
    before = {"status": tour.status}
    tour.status = target
    tour.save(update_fields=["status"])
    _bump(tour)
    record_event(
        actor=actor,
        action="inspections.tour.transition",
        obj=tour,
        before=before,
        after={"status": target},
        reason=label,
    )
    return tour


def store_results(tour: Tour, report: selectors.Report) -> dt.datetime:
    """Write the locked results (score, rank, every intermediate) of a computed report."""
    now = timezone.now()
    UnitResult.objects.bulk_create(
        UnitResult(
            tour=tour,
            unit_id=row.unit.pk,
            unit_group_id=row.unit.unit_group_id,
            score=row.display,
            rank=row.rank,
            method=tour.method,
            details=jsonable(row.details),
            published_at=now,
        )
        for row in report.units
    )
    return now


@transaction.atomic(durable=True)
def publish_tour(*, actor: User, tour: Tour, version: int | None = None, reason: str = "") -> Tour:
    """Compute the results once, store them with every intermediate number, lock the tour.
    With score sheets still missing, publishing needs a reason (kept and audited)."""
    tour = _organiser(actor, tour)
    check_version(tour, version, what="观摩活动")
    if tour.status == S.PUBLISHED:
        raise InvalidTransition("观摩结果已发布。")
    if tour.status != S.CLOSED:
        raise InvalidTransition("请先结束评分，再发布结果。")
    missing = completeness.missing_sheets(tour)
    reason = (reason or "").strip()[:200]
    if missing and not reason:
        raise SheetsMissing(
            completeness.missing_summary(missing) + "如仍要发布，请填写理由。",
            details={
                "missing": [{"judge": m.judge, "items": m.items} for m in missing],
                "count": completeness.missing_count(missing),
            },
        )
    report = selectors.compute_results(tour)
    if not any(row.score is not None for row in report.units):
        raise DomainError("还没有任何有效评分，不能发布。")
    now = store_results(tour, report)
    tour.status = S.PUBLISHED
    tour.published_at = now
    tour.published_by = actor
    tour.publish_note = reason if missing else ""
    tour.save(update_fields=["status", "published_at", "published_by", "publish_note"])
    _bump(tour)
    record_event(
        actor=actor,
        action="inspections.tour.publish",
        obj=tour,
        before={"status": S.CLOSED},
        after={
            "status": S.PUBLISHED,
            "results": {str(r.unit): [str(r.display), r.rank] for r in report.units},
            "missing_sheets": completeness.missing_count(missing),
        },
        reason=reason if missing else "",
    )
    return tour
