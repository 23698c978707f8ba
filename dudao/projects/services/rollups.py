"""Roll-ups kept fresh by the services, in the transaction that changes a report: the
cumulative figures of later reports, the plan's approved year-to-date and stored lags, the
county × category × month statistics and the milestones reached (internal to the package)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import F, Sum

from dudao.projects.models import (
    CountyMonthStat,
    MilestoneNode,
    MonthlyReport,
    Project,
    ProjectMilestone,
    ProjectSettings,
    ProjectYearPlan,
)
from dudao.projects.rules import progress
from dudao.projects.selectors.periods import locked_months
from dudao.projects.signals import milestone_reached

if TYPE_CHECKING:
    pass

from dudao.projects.services._base import (
    CENT,
    ZERO,
    S,
)


def _prior_sums(project_id: int, year: int, month: int) -> tuple[Decimal, Decimal, Decimal]:
    """(ytd invest, ytd funds, since-start invest) of the reports before `year-month`."""
    earlier = MonthlyReport.objects.filter(project_id=project_id)
    same_year = earlier.filter(year=year, month__lt=month).aggregate(
        i=Sum("invest_month"), f=Sum("funds_month")
    )
    before_year = earlier.filter(year__lt=year).aggregate(i=Sum("invest_month"))
    # SQLite sums decimals as floats: back to cents before any arithmetic
    ytd = _cents(same_year["i"])
    return ytd, _cents(same_year["f"]), ytd + _cents(before_year["i"])


def _cents(value: Decimal | float | None) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def _recompute_later(project_id: int, year: int, month: int) -> None:
    """Re-derive the cumulative figures of the project's reports after `year-month`."""
    later = list(
        MonthlyReport.objects.filter(project_id=project_id)
        .filter(year__gte=year)
        .exclude(year=year, month__lte=month)
        .order_by("year", "month")
    )
    if not later:
        return
    project = Project.objects.get(pk=project_id)
    for report in later:
        ytd, funds, total = _prior_sums(project_id, report.year, report.month)
        report.invest_ytd = ytd + report.invest_month
        report.funds_ytd = funds + report.funds_month
        report.invest_total = project.invest_before + total + report.invest_month
    MonthlyReport.objects.bulk_update(later, ["invest_ytd", "funds_ytd", "invest_total"])
    for y in {r.year for r in later if r.status == S.APPROVED}:
        _refresh_plan_rollup(project_id, y)


def _refresh_plan_rollup(project_id: int, year: int) -> None:
    """Keep the project-year roll-up fresh: the plan's approved year-to-date and last approved
    month, and the stored lag of every approved report of that year (used by the analysis)."""
    plan = ProjectYearPlan.objects.filter(project_id=project_id, year=year).first()
    approved = list(
        MonthlyReport.objects.filter(project_id=project_id, year=year, status=S.APPROVED)
        .order_by("month")
        .only("pk", "month", "invest_month", "invest_ytd", "lag")
    )
    settings = ProjectSettings.current()
    county_id = plan.county_id if plan else None
    if county_id is None:
        county_id = Project.objects.filter(pk=project_id).values_list("county_id", flat=True)[0]
    locked = set(locked_months(county_id, year))  # their stored lags are final
    changed = []
    for report in approved:
        if report.month in locked:
            continue
        lag = progress(
            plan.planned_investment if plan else None,
            report.invest_ytd,
            report.month,
            settings,
            plan.curve if plan else None,
        ).lag
        if lag != report.lag:
            report.lag = lag
            changed.append(report)
    MonthlyReport.objects.bulk_update(changed, ["lag"])
    if plan is not None:
        ProjectYearPlan.objects.filter(pk=plan.pk).update(
            approved_ytd=_cents(sum((r.invest_month for r in approved), ZERO)),
            approved_month=approved[-1].month if approved else 0,
        )


def _apply_stat(report: MonthlyReport, sign: int) -> None:
    """Add (+1) or remove (−1) an approved report from the county × category × month roll-up."""
    category_id = (
        Project.objects.filter(pk=report.project_id).values_list("category_id", flat=True).get()
    )
    stat, _ = CountyMonthStat.objects.select_for_update().get_or_create(
        county_id=report.county_id, category_id=category_id, year=report.year, month=report.month
    )
    CountyMonthStat.objects.filter(pk=stat.pk).update(
        approved_count=F("approved_count") + sign,
        invest=F("invest") + sign * report.invest_month,
        funds=F("funds") + sign * report.funds_month,
    )
    _refresh_plan_rollup(report.project_id, report.year)


def _apply_milestone(report: MonthlyReport) -> None:
    """An approved report's node becomes the project's actual milestone date (and stage)."""
    if report.node_id is None or report.node_date is None:
        return
    row, _ = ProjectMilestone.objects.get_or_create(
        project_id=report.project_id, node_id=report.node_id
    )
    row.actual_date = report.node_date
    row.save(update_fields=["actual_date"])
    role = MilestoneNode.objects.filter(pk=report.node_id).values_list("role", flat=True).get()
    new_stage = {
        str(MilestoneNode.Role.START): Project.Stage.NEW,
        str(MilestoneNode.Role.COMPLETE): Project.Stage.COMPLETED,
        str(MilestoneNode.Role.PRODUCE): Project.Stage.PRODUCING,
    }.get(role)
    order = [
        Project.Stage.PREPARATION,
        Project.Stage.NEW,
        Project.Stage.CONTINUING,
        Project.Stage.COMPLETED,
        Project.Stage.PRODUCING,
    ]
    project = Project.objects.get(pk=report.project_id)
    if new_stage and order.index(new_stage) > order.index(Project.Stage(project.stage)):
        Project.objects.filter(pk=project.pk).update(stage=new_stage, version=F("version") + 1)
    if role:
        milestone_reached.send(
            sender=Project,
            project_id=report.project_id,
            role=str(role),
            on=report.node_date,
            actor=report.reviewed_by,
        )


def refresh_plan_rollup(project_id: int, year: int) -> None:
    """Public name of the plan roll-up refresh, for the bulk import (inside its transaction)."""
    _refresh_plan_rollup(project_id, year)
