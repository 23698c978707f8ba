"""Writes of 重大项目: registry, plans, the monthly report cycle, locks, targets, settings.

Every function is one transaction with exactly one audit event. Roll-ups (the plan's approved
year-to-date and `CountyMonthStat`) are maintained here, in the transaction that approves or
returns a report, so the analysis is fresh the moment a report is approved.
"""

from __future__ import annotations

import calendar as pycalendar
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.exceptions import (
    DomainError,
    InvalidTransition,
    StaleObject,
    full_clean_or_raise,
)
from dudao.core.policies import require_role
from dudao.core.snapshot import diff, snapshot
from dudao.core.uploads import clean_photo
from dudao.orgs.models import Organisation
from dudao.projects.codes import check_industry_code, decode_project_code, normalise_uscc
from dudao.projects.models import (
    AreaCode,
    CountyMonthStat,
    MilestoneNode,
    MonthLock,
    MonthlyReport,
    Project,
    ProjectMilestone,
    ProjectSettings,
    ProjectYearPlan,
    QuarterTarget,
    ReportPhoto,
    ReportRequest,
)
from dudao.regions.models import Region
from dudao.stats.engine import format_decimal

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.workdays.calendar import Deadline

S = MonthlyReport.Status
ZERO = Decimal("0")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")

PROJECT_FIELDS = (
    "code",
    "name",
    "category",
    "stage",
    "level",
    "county",
    "park",
    "build_nature",
    "industry_code",
    "builder_name",
    "builder_uscc",
    "total_investment",
    "invest_before",
    "description",
    "responsible_unit",
    "lead_leader",
    "liaison",
    "liaison_phone",
    "is_active",
)
REPORT_FIELDS = (
    "invest_month",
    "funds_month",
    "node",
    "node_date",
    "progress_text",
    "has_problem",
    "problem_text",
    "next_steps",
    "note",
)
SETTINGS_FIELDS = (
    "lag_yellow_from",
    "lag_red_above",
    "start_yellow_from",
    "start_red_from",
    "jump_ratio",
    "deadline_days",
    "deadline_kind",
)


# --- helpers ----------------------------------------------------------------------------------


def known_area_codes() -> set[str]:
    """GB/T 2260 codes (every stored revision) and the configured 功能区/demo codes."""
    codes = set(Region.objects.values_list("code", flat=True))
    codes.update(AreaCode.objects.values_list("code", flat=True))
    return codes


def month_end(year: int, month: int) -> date:
    return date(year, month, pycalendar.monthrange(year, month)[1])


def report_deadline(year: int, month: int, settings: ProjectSettings | None = None) -> Deadline:
    """The reporting deadline of a month: N natural days (rolled past rest days) or N workdays
    after the month's last day — by default the 5th of the next month."""
    from dudao.workdays.selectors import deadline_for

    settings = settings or ProjectSettings.current()
    return deadline_for(month_end(year, month), settings.deadline_days, settings.deadline_kind)


def is_locked(county_id: int, year: int, month: int) -> bool:
    return (
        MonthLock.objects.filter(year=year, month=month, is_active=True)
        .filter(Q(county_id=county_id) | Q(county__isnull=True))
        .exists()
    )


def _check_version(obj: Any, version: int | None, what: str) -> None:
    if version is not None and int(version) != obj.version:
        raise StaleObject(
            f"该{what}已被他人修改（当前版本 {obj.version}），请刷新后重试。",
            details=snapshot(obj),
        )


def _bump(obj: Any) -> None:
    obj.version = obj.version + 1
    obj.updated_at = timezone.now()


def _visible_project(actor: User, project: Project, *, lock: bool = False) -> Project:
    qs = Project.objects.visible_to(actor)
    if lock:
        qs = qs.select_for_update()
    return qs.select_related("county", "category").get(pk=project.pk)


def _visible_report(actor: User, report: MonthlyReport) -> MonthlyReport:
    return (
        MonthlyReport.objects.visible_to(actor)
        .select_for_update()
        .select_related("project", "county")
        .get(pk=report.pk)
    )


def _county_in_scope(actor: User, county: Organisation) -> None:
    ok = (
        Organisation.objects.visible_to(actor)
        .filter(pk=county.pk, kind=Organisation.Kind.COUNTY_GOV)
        .exists()
    )
    if not ok:
        raise DomainError("所选县（市、区）不存在或不在您的数据范围内。", field="county")


def _replayed(request_id: str | None, action: str) -> MonthlyReport | None:
    """The report a repeated request already produced (nothing is written twice)."""
    if not request_id:
        return None
    done = ReportRequest.objects.filter(key=request_id).select_related("report").first()
    if done is None:
        return None
    if done.action != action:
        raise DomainError("请求编号已用于其他操作，请重新提交。")
    return done.report


def _remember(request_id: str | None, action: str, report: MonthlyReport) -> None:
    if request_id:
        ReportRequest.objects.create(key=request_id[:64], action=action, report=report)


# --- registry ---------------------------------------------------------------------------------


def _apply_code(project: Project, areas: set[str] | None = None) -> None:
    if not project.code:
        project.code = None
        project.code_scheme = ""
        project.code_year = project.code_month = None
        project.code_area = project.code_sector = project.code_type = ""
        return
    decoded = decode_project_code(project.code, areas if areas is not None else known_area_codes())
    project.code = decoded.code
    project.code_scheme = decoded.scheme
    project.code_year, project.code_month = decoded.year, decoded.month
    project.code_area, project.code_sector = decoded.area, decoded.sector
    project.code_type = decoded.type_code


def _check_started(project: Project, milestones: dict[str, tuple[Any, Any]] | None) -> None:
    """A 续建 (or later) project must have an actual start date."""
    if project.stage not in (Project.Stage.CONTINUING,):
        return
    start = MilestoneNode.objects.filter(role=MilestoneNode.Role.START).first()
    if start is None:
        return
    if milestones and start.code in milestones and milestones[start.code][1]:
        return
    if (
        project.pk
        and ProjectMilestone.objects.filter(
            project=project, node=start, actual_date__isnull=False
        ).exists()
    ):
        return
    raise DomainError("续建项目必须已开工：请填写“开工”节点的实际日期。", field="stage")


def _validate_project(project: Project) -> None:
    project.builder_uscc = normalise_uscc(project.builder_uscc)
    project.industry_code = check_industry_code(project.industry_code)
    park = project.park if project.park_id else None
    if park is not None and park.county_id and park.county_id != project.county_id:
        raise DomainError("所选园区不在该县（市、区）内。", field="park")
    full_clean_or_raise(project, exclude=["lists"], validate_unique=True)


def check_milestone_order(dates: dict[int, date], nodes: list[MilestoneNode]) -> None:
    """Actual dates must follow the node order (a later node never before an earlier one)."""
    previous: tuple[MilestoneNode, date] | None = None
    for node in nodes:
        actual = dates.get(node.pk)
        if actual is None:
            continue
        if previous is not None and actual < previous[1]:
            raise DomainError(
                f"节点实际日期顺序错误：“{node.name}”（{actual}）早于“{previous[0].name}”"
                f"（{previous[1]}）。",
                field="node_date",
            )
        previous = (node, actual)


def _save_milestones(project: Project, milestones: dict[str, tuple[Any, Any]]) -> None:
    nodes = list(MilestoneNode.objects.filter(is_active=True).order_by("sort_order"))
    by_code = {n.code: n for n in nodes}
    unknown = set(milestones) - set(by_code)
    if unknown:
        raise DomainError(f"未知的节点：{'、'.join(sorted(unknown))}", field="milestones")
    existing = {m.node_id: m for m in ProjectMilestone.objects.filter(project=project)}
    for code, (planned, actual) in milestones.items():
        node = by_code[code]
        row = existing.get(node.pk) or ProjectMilestone(project=project, node=node)
        row.planned_date, row.actual_date = planned, actual
        existing[node.pk] = row
    actual_dates = {k: m.actual_date for k, m in existing.items() if m.actual_date}
    today = timezone.localdate()
    if any(d > today for d in actual_dates.values()):
        raise DomainError("节点实际日期不能晚于今天。", field="milestones")
    check_milestone_order(actual_dates, nodes)
    for row in existing.values():
        if row.pk and row.planned_date is None and row.actual_date is None:
            row.delete()
        elif row.planned_date is not None or row.actual_date is not None:
            row.save()


def milestone_state(project: Project) -> dict[str, tuple[Any, Any]]:
    return {
        m.node.code: (m.planned_date, m.actual_date)
        for m in project.milestones.select_related("node")
    }


@transaction.atomic
def create_project(
    *,
    actor: User,
    lists: list[Any] | None = None,
    milestones: dict[str, tuple[Any, Any]] | None = None,
    **fields: Any,
) -> Project:
    """Register a project in a county of the actor's scope."""
    require_role(actor, Role.REPORTER, Role.SUPERVISOR)
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise DomainError(f"不可填写的字段：{'、'.join(sorted(unknown))}")
    project = Project(**fields)
    if project.county_id is None:
        raise DomainError("必须选择所在县（市、区）。", field="county")
    _county_in_scope(actor, project.county)
    _apply_code(project)
    _validate_project(project)
    _check_started(project, milestones)
    project.save()
    if lists:
        project.lists.set(lists)
    if milestones:
        _save_milestones(project, milestones)
    after = snapshot(project) | {"lists": [str(x) for x in lists or []]}
    if milestones:
        after["milestones"] = {k: [str(v[0] or ""), str(v[1] or "")] for k, v in milestones.items()}
    record_event(
        actor=actor, action="project.create", obj=project, organisation=project.county, after=after
    )
    return project


@transaction.atomic
def update_project(
    *,
    actor: User,
    project: Project,
    version: int | None = None,
    lists: list[Any] | None = None,
    milestones: dict[str, tuple[Any, Any]] | None = None,
    **changes: Any,
) -> Project:
    """Change a project's registry data; a stale version is refused with the current values."""
    require_role(actor, Role.REPORTER, Role.SUPERVISOR)
    project = _visible_project(actor, project, lock=True)
    _check_version(project, version, "项目")
    unknown = set(changes) - set(PROJECT_FIELDS)
    if unknown:
        raise DomainError(f"不可修改的字段：{'、'.join(sorted(unknown))}")
    before = snapshot(project) | {"lists": sorted(str(x) for x in project.lists.all())}
    before["milestones"] = {
        k: [str(v[0] or ""), str(v[1] or "")] for k, v in milestone_state(project).items()
    }
    for field, value in changes.items():
        setattr(project, field, value.strip() if isinstance(value, str) else value)
    if "county" in changes:
        _county_in_scope(actor, project.county)
    _apply_code(project)
    _validate_project(project)
    if milestones is not None:
        _save_milestones(project, milestones)
    _check_started(project, None)
    _bump(project)
    project.save()
    if lists is not None:
        project.lists.set(lists)
    after = snapshot(project) | {"lists": sorted(str(x) for x in project.lists.all())}
    after["milestones"] = {
        k: [str(v[0] or ""), str(v[1] or "")] for k, v in milestone_state(project).items()
    }
    b, a = diff(before, after)
    record_event(
        actor=actor,
        action="project.update",
        obj=project,
        organisation=project.county,
        before=b,
        after=a,
    )
    return project


@transaction.atomic
def save_plan(
    *,
    actor: User,
    project: Project,
    year: int,
    planned_investment: Decimal,
    curve: list[Decimal] | None = None,
    planned_nodes: list[str] | None = None,
    version: int | None = None,
) -> ProjectYearPlan:
    """Create or change a project's annual plan."""
    require_role(actor, Role.REPORTER, Role.SUPERVISOR)
    project = _visible_project(actor, project)
    plan = ProjectYearPlan.objects.select_for_update().filter(project=project, year=year).first()
    created = plan is None
    if plan is None:
        plan = ProjectYearPlan(project=project, county=project.county, year=year)
    else:
        _check_version(plan, version, "年度计划")
    before = snapshot(plan) if not created else None
    planned_investment = Decimal(planned_investment)
    if planned_investment < 0:
        raise DomainError("年度计划投资不能为负数。", field="planned_investment")
    if planned_investment > project.total_investment:
        raise DomainError(
            f"年度计划投资（{planned_investment}万元）不能超过项目总投资"
            f"（{project.total_investment}万元）。",
            field="planned_investment",
        )
    if curve:
        values = [Decimal(str(v)) for v in curve]
        if len(values) != 12:
            raise DomainError("按月计划累计投资应为 12 个数。", field="curve")
        if any(b < a for a, b in itertools.pairwise(values)) or values[0] < 0:
            raise DomainError("按月计划累计投资应逐月不减。", field="curve")
        if values[-1] != planned_investment:
            raise DomainError("按月计划累计投资的 12 月数应等于年度计划投资。", field="curve")
        plan.curve = [str(v) for v in values]
    else:
        plan.curve = None
    codes = list(planned_nodes or [])
    known = set(MilestoneNode.objects.filter(code__in=codes).values_list("code", flat=True))
    if set(codes) - known:
        raise DomainError(
            f"未知的节点：{'、'.join(sorted(set(codes) - known))}", field="planned_nodes"
        )
    plan.planned_nodes = codes
    plan.planned_investment = planned_investment
    plan.county = project.county
    full_clean_or_raise(plan, exclude=["project", "county"], validate_unique=False)
    if not created:
        _bump(plan)
    plan.save()
    _refresh_plan_rollup(project.pk, year)
    plan.refresh_from_db()
    after = snapshot(plan)
    b, a = (None, after) if before is None else diff(before, after)
    record_event(
        actor=actor,
        action="project.plan_save",
        obj=plan,
        organisation=project.county,
        before=b,
        after=a,
    )
    return plan


# --- monthly reports --------------------------------------------------------------------------


@dataclass
class ReportInput:
    invest_month: Decimal
    funds_month: Decimal = ZERO
    node: MilestoneNode | None = None
    node_date: date | None = None
    progress_text: str = ""
    has_problem: bool = False
    problem_text: str = ""
    next_steps: str = ""
    note: str = ""


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


def validate_report_values(
    *,
    project: Project,
    year: int,
    month: int,
    data: ReportInput,
    prior_ytd: Decimal,
    plan_amount: Decimal | None,
    settings: ProjectSettings,
    actual_dates: dict[int, date],
    nodes: list[MilestoneNode],
    started: bool,
) -> list[tuple[str, str]]:
    """Every validation rule at source; returns (field, Chinese message) pairs. Used by the
    service, the grid and the Excel import alike."""
    errors: list[tuple[str, str]] = []
    if data.invest_month < 0:
        errors.append(("invest_month", "累计完成投资不能减少：本月完成投资不能为负数。"))
    if data.funds_month < 0:
        errors.append(("funds_month", "本月资金到位不能为负数。"))
    ytd = prior_ytd + data.invest_month
    if ytd > project.total_investment:
        errors.append(
            (
                "invest_month",
                f"年内累计完成投资（{ytd}万元）不能超过项目总投资（{project.total_investment}万元）。",
            )
        )
    base = plan_amount if plan_amount else project.total_investment
    if base and data.invest_month > base * settings.jump_ratio / HUNDRED and not data.note.strip():
        what = "年度计划投资" if plan_amount else "项目总投资"
        ratio = format_decimal(settings.jump_ratio, 2, drop_trailing_zero=True)
        errors.append(
            (
                "note",
                f"本月完成投资 {data.invest_month} 万元，超过{what}的 {ratio}%，"
                "请在“说明”中注明原因。",
            )
        )
    if data.node is not None:
        if data.node_date is None:
            errors.append(("node_date", f"填写了达到节点“{data.node.name}”，请填写其实际日期。"))
        elif data.node_date > month_end(year, month):
            errors.append(("node_date", "节点实际日期不能晚于报告月份的最后一天。"))
        else:
            dates = dict(actual_dates)
            dates[data.node.pk] = data.node_date
            try:
                check_milestone_order(dates, nodes)
            except DomainError as exc:
                errors.append(("node_date", exc.message))
    elif data.node_date is not None:
        errors.append(("node", "填写了节点日期，请选择达到的节点。"))
    if data.has_problem and not data.problem_text.strip():
        errors.append(("problem_text", "勾选了“存在问题”，请填写问题描述。"))
    if (
        project.stage == Project.Stage.CONTINUING
        and not started
        and not (data.node is not None and data.node.role == MilestoneNode.Role.START)
    ):
        errors.append(("stage", "续建项目必须已开工：请先在项目中填写“开工”节点的实际日期。"))
    return errors


def _current_period() -> tuple[int, int]:
    today = timezone.localdate()
    return today.year, today.month


def _check_period(year: int, month: int) -> None:
    if not 1 <= month <= 12:
        raise DomainError("月份应为 1–12。", field="month")
    if (year, month) > _current_period():
        raise DomainError("不能填报未来月份的月报。", field="month")


def _assert_open(county_id: int, year: int, month: int) -> None:
    if is_locked(county_id, year, month):
        raise InvalidTransition(
            f"{year}年{month}月已锁定，不能再修改；如需更正请联系市督查室解锁。"
        )


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


@transaction.atomic
def save_report(
    *,
    actor: User,
    project: Project,
    year: int,
    month: int,
    data: ReportInput,
    version: int | None = None,
    request_id: str | None = None,
) -> MonthlyReport:
    """Create or change a draft (or returned) report. Year-to-date and since-start are derived."""
    require_role(actor, Role.REPORTER)
    replay = _replayed(request_id, "save")
    if replay is not None:
        return replay
    project = _visible_project(actor, project, lock=True)
    _check_period(year, month)
    if not project.is_active:
        raise DomainError("项目已出库，不能填报月报。")
    _assert_open(project.county_id, year, month)
    report = (
        MonthlyReport.objects.select_for_update()
        .filter(project=project, year=year, month=month)
        .first()
    )
    created = report is None
    if report is None:
        report = MonthlyReport(
            project=project,
            county_id=project.county_id,
            year=year,
            month=month,
            created_by=actor,
            invest_month=ZERO,
        )
        before = None
    else:
        _check_version(report, version, "月报")
        if report.status not in (S.DRAFT, S.RETURNED):
            raise InvalidTransition(
                f"月报状态为“{report.get_status_display()}”，不能修改（已报送的月报由审核员退回后才能修改）。"
            )
        before = snapshot(report)
    settings = ProjectSettings.current()
    prior_ytd, prior_funds, prior_total = _prior_sums(project.pk, year, month)
    plan = ProjectYearPlan.objects.filter(project=project, year=year).first()
    nodes = list(MilestoneNode.objects.filter(is_active=True).order_by("sort_order"))
    actual: dict[int, date] = {
        node_id: day
        for node_id, day in ProjectMilestone.objects.filter(
            project=project, actual_date__isnull=False
        ).values_list("node_id", "actual_date")
        if day is not None
    }
    start_ids = {n.pk for n in nodes if n.role == MilestoneNode.Role.START}
    if data.node is not None:
        actual.pop(data.node.pk, None)
    errors = validate_report_values(
        project=project,
        year=year,
        month=month,
        data=data,
        prior_ytd=prior_ytd,
        plan_amount=plan.planned_investment if plan else None,
        settings=settings,
        actual_dates=actual,
        nodes=nodes,
        started=bool(start_ids & set(actual)),
    )
    if errors:
        field, message = errors[0]
        raise DomainError(
            message, field=field, details=[{"field": f, "message": m} for f, m in errors]
        )
    for name in REPORT_FIELDS:
        value = getattr(data, name)
        setattr(report, name, value.strip() if isinstance(value, str) else value)
    report.invest_ytd = prior_ytd + data.invest_month
    report.funds_ytd = prior_funds + data.funds_month
    report.invest_total = project.invest_before + prior_total + data.invest_month
    full_clean_or_raise(
        report,
        exclude=["project", "county", "created_by", "reviewed_by", "problem_ref", "node"],
        validate_unique=False,
    )
    for name in ("invest_month", "funds_month", "invest_ytd", "funds_ytd", "invest_total"):
        setattr(report, name, Decimal(getattr(report, name)).quantize(CENT))
    if not created:
        _bump(report)
    report.save()
    _recompute_later(project.pk, year, month)
    _remember(request_id, "save", report)
    after = snapshot(report)
    b, a = (None, after) if before is None else diff(before, after)
    record_event(
        actor=actor,
        action="project.report_save",
        obj=report,
        organisation=report.county,
        before=b,
        after=a,
    )
    return report


def _transition(
    *,
    actor: User,
    report: MonthlyReport,
    version: int | None,
    request_id: str | None,
    action: str,
    role: Role,
    allowed: tuple[str, ...],
    verb: str,
    change: Callable[[MonthlyReport], None],
    after_save: Callable[[MonthlyReport, str], None] | None = None,
    reason: str = "",
) -> MonthlyReport:
    """Role, replay, scope, version, state and lock checks; the change; one audit event."""
    require_role(actor, role)
    replay = _replayed(request_id, action)
    if replay is not None:
        return replay
    report = _visible_report(actor, report)
    _check_version(report, version, "月报")
    if report.status not in allowed:
        raise InvalidTransition(f"月报状态为“{report.get_status_display()}”，不能{verb}。")
    _assert_open(report.county_id, report.year, report.month)
    before = snapshot(report)
    was = report.status
    change(report)
    _bump(report)
    report.save()
    if after_save is not None:
        after_save(report, was)
    _remember(request_id, action, report)
    b, a = diff(before, snapshot(report))
    record_event(
        actor=actor,
        action=f"project.report_{action}",
        obj=report,
        organisation=report.county,
        before=b,
        after=a,
        reason=reason,
    )
    return report


@transaction.atomic
def submit_report(
    *,
    actor: User,
    report: MonthlyReport,
    version: int | None = None,
    request_id: str | None = None,
) -> MonthlyReport:
    """draft/returned → submitted. After the deadline the report is accepted and marked late."""

    def change(r: MonthlyReport) -> None:
        now = timezone.now()
        if r.first_submitted_at is None:
            r.first_submitted_at = now
            r.is_late = timezone.localdate() > report_deadline(r.year, r.month).due
        r.status = S.SUBMITTED
        r.submitted_at = now
        r.return_reason = ""

    return _transition(
        actor=actor,
        report=report,
        version=version,
        request_id=request_id,
        action="submit",
        role=Role.REPORTER,
        allowed=(S.DRAFT, S.RETURNED),
        verb="报送",
        change=change,
    )


def _refresh_plan_rollup(project_id: int, year: int) -> None:
    """Keep the project-year roll-up fresh: the plan's approved year-to-date and last approved
    month, and the stored lag of every approved report of that year (used by the analysis)."""
    from dudao.projects.figures import progress

    plan = ProjectYearPlan.objects.filter(project_id=project_id, year=year).first()
    approved = list(
        MonthlyReport.objects.filter(project_id=project_id, year=year, status=S.APPROVED)
        .order_by("month")
        .only("pk", "month", "invest_month", "invest_ytd", "lag")
    )
    settings = ProjectSettings.current()
    changed = []
    for report in approved:
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


@transaction.atomic
def approve_report(
    *,
    actor: User,
    report: MonthlyReport,
    version: int | None = None,
    request_id: str | None = None,
) -> MonthlyReport:
    """submitted → approved (county reviewer); the roll-ups change in the same transaction."""

    def change(r: MonthlyReport) -> None:
        r.status = S.APPROVED
        r.reviewed_by = actor
        r.reviewed_at = timezone.now()

    def after_save(r: MonthlyReport, _was: str) -> None:
        _apply_stat(r, +1)
        _apply_milestone(r)

    return _transition(
        actor=actor,
        report=report,
        version=version,
        request_id=request_id,
        action="approve",
        role=Role.REVIEWER,
        allowed=(S.SUBMITTED,),
        verb="审核通过",
        change=change,
        after_save=after_save,
    )


@transaction.atomic
def return_report(
    *,
    actor: User,
    report: MonthlyReport,
    reason: str,
    version: int | None = None,
    request_id: str | None = None,
) -> MonthlyReport:
    """submitted (or approved, while the month is open) → returned with a reason."""
    require_role(actor, Role.REVIEWER)
    reason = (reason or "").strip()
    if not reason and not (request_id and ReportRequest.objects.filter(key=request_id).exists()):
        raise DomainError("退回必须填写原因。", field="reason")

    def change(r: MonthlyReport) -> None:
        r.status = S.RETURNED
        r.return_reason = reason[:300]
        r.reviewed_by = actor
        r.reviewed_at = timezone.now()

    def after_save(r: MonthlyReport, was: str) -> None:
        if was == S.APPROVED:
            _apply_stat(r, -1)

    return _transition(
        actor=actor,
        report=report,
        version=version,
        request_id=request_id,
        action="return",
        role=Role.REVIEWER,
        allowed=(S.SUBMITTED, S.APPROVED),
        verb="退回",
        change=change,
        after_save=after_save,
        reason=reason,
    )


@transaction.atomic
def add_report_photo(
    *, actor: User, report: MonthlyReport, data: bytes, filename: str
) -> ReportPhoto:
    """Attach a site photo (re-encoded, EXIF stripped, size capped) to an editable report."""
    from django.core.files.base import ContentFile

    require_role(actor, Role.REPORTER)
    report = _visible_report(actor, report)
    if report.status not in (S.DRAFT, S.RETURNED):
        raise InvalidTransition("只能给草稿或被退回的月报添加照片。")
    _assert_open(report.county_id, report.year, report.month)
    if report.photos.count() >= 9:
        raise DomainError("每份月报最多 9 张照片。")
    clean = clean_photo(data, filename)
    photo = ReportPhoto(report=report, uploaded_by=actor, width=clean.width, height=clean.height)
    photo.image.save(clean.name, ContentFile(clean.content), save=False)
    photo.save()
    record_event(
        actor=actor,
        action="project.photo_add",
        obj=report,
        organisation=report.county,
        after={"photo_id": photo.pk, "name": photo.image.name},
    )
    return photo


# --- locks, targets, settings -----------------------------------------------------------------


@transaction.atomic
def lock_month(
    *, actor: User, year: int, month: int, county: Organisation | None = None
) -> MonthLock:
    """Lock a month for one county or city-wide (supervisor, after the deadline)."""
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
    lock = MonthLock.objects.create(county=county, year=year, month=month, locked_by=actor)
    record_event(
        actor=actor,
        action="project.month_lock",
        obj=lock,
        organisation=county or actor.organisation,
        after=snapshot(lock),
    )
    return lock


@transaction.atomic
def unlock_month(*, actor: User, lock: MonthLock, reason: str) -> MonthLock:
    """Unlock (supervisor, with a reason); the lock row stays as history."""
    require_role(actor, Role.SUPERVISOR)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("解锁必须填写原因。", field="reason")
    lock = MonthLock.objects.select_for_update().get(pk=lock.pk)
    if lock.county_id is not None:
        _county_in_scope(actor, lock.county)  # type: ignore[arg-type]
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


@transaction.atomic
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
    row = (
        QuarterTarget.objects.select_for_update()
        .filter(county=county, year=year, quarter=quarter, metric=metric)
        .first()
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


@transaction.atomic
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


@transaction.atomic
def report_to_problem(
    *, actor: User, report: MonthlyReport, category: Any, deadline: date | None = None
) -> MonthlyReport:
    """转入问题台账: register the report's problem in the problem ledger (reviewer)."""
    from dudao.problems.services import create_problem

    require_role(actor, Role.REVIEWER, Role.SUPERVISOR)
    report = _visible_report(actor, report)
    if not report.has_problem:
        raise DomainError("该月报未填写存在问题。")
    if report.problem_ref_id is not None:
        raise InvalidTransition("该问题已转入问题台账。")
    problem = create_problem(
        actor=actor,
        source="monthly_report",
        category=category,
        title=f"{report.project.name}：{report.problem_text[:60]}",
        responsible_org=report.county,
        deadline=deadline,
        description=report.problem_text,
        project=report.project,
        county=report.county,
        source_ref=f"projects.monthlyreport:{report.pk}",
    )
    MonthlyReport.objects.filter(pk=report.pk).update(problem_ref=problem)
    report.problem_ref = problem
    return report
