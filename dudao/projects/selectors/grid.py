"""The reporter's monthly grid, "due for me", one report, and the month locks."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from dudao.core.lights import Light
from dudao.orgs.models import Organisation
from dudao.projects.models import (
    MilestoneNode,
    MonthLock,
    MonthlyReport,
    Project,
    ProjectSettings,
    ProjectYearPlan,
)
from dudao.projects.rules import (
    ProjectLight,
    previous_month,
)
from dudao.projects.selectors.periods import report_deadline
from dudao.projects.selectors.registry import county_choices, lights_for, visible_projects

if TYPE_CHECKING:
    from dudao.accounts.models import User

S = MonthlyReport.Status
LIGHT_VALUES = tuple(Light.values)
ZERO = Decimal("0")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")


# What neither the grid's rows (gridhtml.row_html) nor the template download shows: not read
# (the timestamps alone were 12 conversions a row; a page of 160 rows is opened at every save
# of the deadline afternoon). Reading one of them on a row would cost a query: the grid's query
# counts are asserted (dudao/core/tests/test_query_counts.py).
GRID_UNUSED = (
    "lag",
    "invest_total",
    "funds_ytd",
    "created_by",
    "submitted_at",
    "first_submitted_at",
    "reviewed_by",
    "reviewed_at",
    "problem_ref",
    "created_at",
    "updated_at",
)


@dataclass
class GridRow:
    project: Project
    report: MonthlyReport | None
    last: MonthlyReport | None
    plan: ProjectYearPlan | None
    locked: bool = False

    node_choices: tuple[tuple[int, str], ...] = ()
    options_html: str | None = None  # the node <option>s without a selection, once per page

    @property
    def disabled(self) -> str:
        """The HTML attribute that makes the row's inputs read-only ('' when editable)."""
        return "" if self.editable else " disabled"

    @property
    def editable(self) -> bool:
        return not self.locked and (
            self.report is None or self.report.status in (S.DRAFT, S.RETURNED)
        )


def grid_rows(
    actor: User, year: int, month: int, county: int | None = None, only: int | None = None
) -> list[GridRow]:
    """Every active project in scope with this month's report, last month's and the plan
    (4 queries whatever the number of projects)."""
    projects = list(
        visible_projects(actor)
        .filter(is_active=True)
        .select_related("category")
        .order_by("county__path", "name", "pk")
        .filter(**({"county_id": county} if county else {}))
        .filter(**({"pk": only} if only else {}))
    )
    ids = [p.pk for p in projects]
    py, pm = previous_month(year, month)
    reports = {
        (r.project_id, r.year, r.month): r
        for r in MonthlyReport.objects.filter(project_id__in=ids)
        .filter(Q(year=year, month=month) | Q(year=py, month=pm))
        .defer(*GRID_UNUSED)
    }
    plans = {p.project_id: p for p in ProjectYearPlan.objects.filter(project_id__in=ids, year=year)}
    locks = set(
        MonthLock.objects.filter(year=year, month=month, is_active=True).values_list(
            "county_id", flat=True
        )
    )
    choices = tuple(
        MilestoneNode.objects.filter(is_active=True)
        .order_by("sort_order")
        .values_list("pk", "name")
    )
    return [
        GridRow(
            p,
            reports.get((p.pk, year, month)),
            reports.get((p.pk, py, pm)),
            plans.get(p.pk),
            locked=None in locks or p.county_id in locks,
            node_choices=choices,
        )
        for p in projects
    ]


def due_summary(actor: User, year: int, month: int) -> dict[str, Any]:
    """What is due this month for a reporter (to fill/submit) or a reviewer (to approve)."""
    projects = visible_projects(actor).filter(is_active=True)
    total = projects.count()
    by_status = dict(
        MonthlyReport.objects.filter(project__in=projects.values("pk"), year=year, month=month)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    deadline = report_deadline(year, month)
    locked = MonthLock.objects.filter(year=year, month=month, is_active=True).exists()
    waiting = (
        MonthlyReport.objects.visible_to(actor)
        .filter(status=S.SUBMITTED)
        .select_related("project", "county")
        .order_by("year", "month", "project__name")[:200]
    )
    returned = (
        MonthlyReport.objects.visible_to(actor)
        .filter(status=S.RETURNED)
        .select_related("project")
        .order_by("year", "month")[:200]
    )
    missing = total - sum(by_status.values())
    return {
        "year": year,
        "month": month,
        "deadline": deadline,
        "days_left": (deadline.due - timezone.localdate()).days,
        "days_overdue": max(0, (timezone.localdate() - deadline.due).days),
        "total": total,
        "missing": missing,
        "draft": by_status.get(S.DRAFT, 0),
        "submitted": by_status.get(S.SUBMITTED, 0),
        "returned_count": by_status.get(S.RETURNED, 0),
        "approved": by_status.get(S.APPROVED, 0),
        "waiting": list(waiting),
        "returned": list(returned),
        "locked": locked,
    }


def active_locks(actor: User, year: int, month: int) -> list[MonthLock]:
    counties = Organisation.objects.visible_to(actor).values("pk")
    return list(
        MonthLock.objects.filter(year=year, month=month, is_active=True)
        .filter(Q(county__isnull=True) | Q(county__in=counties))
        .select_related("county", "locked_by")
    )


def recent_locks(actor: User) -> list[MonthLock]:
    counties = Organisation.objects.visible_to(actor).values("pk")
    return list(
        MonthLock.objects.filter(Q(county__isnull=True) | Q(county__in=counties)).select_related(
            "county", "locked_by", "unlocked_by"
        )[:50]
    )


def locks_in_scope(actor: User) -> QuerySet[MonthLock]:
    """The month locks a user may act on: city-wide ones and those of the counties of their
    scope (for a park committee: the counties of its park's projects) — the one scope rule of
    the unlock page, the API and the service."""
    counties = [c.pk for c in county_choices(actor)]
    return MonthLock.objects.filter(Q(county__isnull=True) | Q(county_id__in=counties))


def get_lock(actor: User, pk: int) -> MonthLock:
    """A month lock in the user's scope (404 for missing and out of scope alike)."""
    return get_object_or_404(locks_in_scope(actor), pk=pk)


def get_report(actor: User, pk: int) -> MonthlyReport:
    return get_object_or_404(
        MonthlyReport.objects.visible_to(actor).select_related("project", "county", "node"),
        pk=pk,
    )


QUEUE_LIMIT = 200


@dataclass
class ReviewRow:
    """One report awaiting review, with what the reviewer needs to decide: the annual plan,
    the 年内累计 reported, and the completion and light it gives once approved."""

    report: MonthlyReport
    light: ProjectLight
    locked: bool

    @property
    def plan(self) -> Decimal | None:
        plan = self.light.progress.plan
        return plan if plan > 0 else None

    @property
    def flags(self) -> list[str]:
        """The warnings of the report, in words (empty when there is nothing to flag)."""
        out = []
        if self.report.is_late:
            out.append("逾期报送")
        if self.report.has_problem:
            out.append("存在问题")
        if self.light.progress.reached in ("滞后", "严重滞后"):
            out.append(f"进度{self.light.progress.reached}")
        if self.light.start_late and self.light.start_light in (Light.YELLOW, Light.RED):
            out.append(f"开工滞后 {self.light.start_late} 个月")
        if self.plan is None:
            out.append("无年度计划")
        return out


def _locked_keys(reports: list[MonthlyReport]) -> set[tuple[int | None, int, int]]:
    """(county id or None for city-wide, year, month) of the active locks of these months."""
    months = {(r.year, r.month) for r in reports}
    if not months:
        return set()
    query = Q()
    for year, month in months:
        query |= Q(year=year, month=month)
    return set(
        MonthLock.objects.filter(query, is_active=True).values_list("county_id", "year", "month")
    )


def review_queue(actor: User, limit: int = QUEUE_LIMIT) -> list[ReviewRow]:
    """The reports in the reviewer's scope awaiting review (oldest month first), each with its
    plan, 年内累计, completion, light and warnings (the module's own rules, via `lights_for`)."""
    reports = list(
        MonthlyReport.objects.visible_to(actor)
        .filter(status=S.SUBMITTED)
        .select_related("project", "county")
        .order_by("year", "month", "county__path", "project__name", "pk")[:limit]
    )
    locked = _locked_keys(reports)
    lights: dict[tuple[int, int, int], ProjectLight] = {}
    settings = ProjectSettings.current()
    by_month: dict[tuple[int, int], list[MonthlyReport]] = {}
    for r in reports:
        by_month.setdefault((r.year, r.month), []).append(r)
    for (year, month), group in by_month.items():
        found = lights_for(
            [r.project for r in group],
            year,
            month,
            settings,
            done_override={r.project_id: r.invest_ytd for r in group},
        )
        for r in group:
            lights[(r.project_id, year, month)] = found[r.project_id]
    return [
        ReviewRow(
            r,
            lights[(r.project_id, r.year, r.month)],
            locked=bool({(None, r.year, r.month), (r.county_id, r.year, r.month)} & locked),
        )
        for r in reports
    ]


def next_pending(actor: User, after: MonthlyReport) -> MonthlyReport | None:
    """The next report awaiting review in the queue's order after `after` (wrapping to the
    first), skipping locked months; None when nothing else is waiting."""
    rows = [row for row in review_queue(actor) if not row.locked and row.report.pk != after.pk]
    if not rows:
        return None
    key = (after.year, after.month, after.county.path, after.project.name, after.pk)
    for row in rows:
        r = row.report
        if (r.year, r.month, r.county.path, r.project.name, r.pk) > key:
            return r
    return rows[0].report


def pending_reports(year: int, month: int, county_id: int | None) -> list[MonthlyReport]:
    """Reports of a month awaiting review (submitted, not approved) in one county, or in the
    whole city when `county_id` is None — what a lock of that month would freeze."""
    qs = MonthlyReport.objects.filter(year=year, month=month, status=S.SUBMITTED)
    if county_id is not None:
        qs = qs.filter(county_id=county_id)
    return list(qs.select_related("project", "county").order_by("county__path", "project__name"))


def report_submitter_id(report: MonthlyReport) -> int | None:
    """The account that last submitted the report (its reporter), from the audit log."""
    from dudao.audit.selectors import last_actor_id

    return last_actor_id(report, "project.report_submit")


def returned_reports_by_county(limit: int = 2000) -> dict[int, list[MonthlyReport]]:
    """Reports returned and not yet resubmitted, by county (for the daily digest)."""
    out: dict[int, list[MonthlyReport]] = {}
    for report in (
        MonthlyReport.objects.filter(status=S.RETURNED)
        .select_related("project")
        .order_by("county_id", "year", "month", "project__name")[:limit]
    ):
        out.setdefault(report.county_id, []).append(report)
    return out
