"""The monthly report cycle: save (draft), submit, approve, return — with the replay
protection of request ids, the lock check and the roll-ups — and the site photos."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from django.db import transaction
from django.utils import timezone

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.bounds import earliest_year, latest_year, year_ok
from dudao.core.exceptions import (
    DomainError,
    InvalidTransition,
    full_clean_or_raise,
)
from dudao.core.numbers import format_decimal
from dudao.core.policies import require_role
from dudao.core.snapshot import diff, snapshot
from dudao.core.uploads import clean_photo
from dudao.projects.models import (
    MilestoneNode,
    MonthlyReport,
    Project,
    ProjectMilestone,
    ProjectSettings,
    ProjectYearPlan,
    ReportPhoto,
    ReportRequest,
)
from dudao.projects.rules import month_end
from dudao.projects.selectors import is_locked, report_deadline
from dudao.projects.signals import report_reviewed

if TYPE_CHECKING:
    from dudao.accounts.models import User

from dudao.projects.services._base import (
    CENT,
    HUNDRED,
    REPORT_FIELDS,
    ZERO,
    S,
    _bump,
    _check_version,
    _remember,
    _replayed,
    _visible_project,
    _visible_report,
)
from dudao.projects.services.registry import check_milestone_order
from dudao.projects.services.rollups import (
    _apply_milestone,
    _apply_stat,
    _prior_sums,
    _recompute_later,
)


class ProjectFigures(Protocol):
    """What the report rules read of a project: a Project, or the importer's plain tuple."""

    @property
    def total_investment(self) -> Decimal: ...

    @property
    def stage(self) -> str: ...


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


def _node_errors(
    data: ReportInput,
    year: int,
    month: int,
    actual_dates: dict[int, date],
    nodes: list[MilestoneNode],
) -> list[tuple[str, str]]:
    """The checks of a node reached this month: its date given, in the window, not after the
    month's end, and in node order."""
    errors: list[tuple[str, str]] = []
    if data.node is not None:
        if data.node_date is None:
            errors.append(("node_date", f"填写了达到节点“{data.node.name}”，请填写其实际日期。"))
        elif data.node_date > month_end(year, month):
            errors.append(("node_date", "节点实际日期不能晚于报告月份的最后一天。"))
        elif not year_ok(data.node_date.year):  # a date typed as 0206 or 1026
            errors.append(
                (
                    "node_date",
                    f"节点实际日期“{data.node_date.isoformat()}”超出允许范围"
                    f"（{earliest_year()}–{latest_year()}年）。",
                )
            )
        else:
            dates = dict(actual_dates)
            dates[data.node.pk] = data.node_date
            try:
                check_milestone_order(dates, nodes)
            except DomainError as exc:
                errors.append(("node_date", exc.message))
    elif data.node_date is not None:
        errors.append(("node", "填写了节点日期，请选择达到的节点。"))
    return errors


def validate_report_values(
    *,
    project: ProjectFigures,
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
    errors.extend(_node_errors(data, year, month, actual_dates, nodes))
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


def _save_report(
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
    project = _visible_project(actor, project, lock=True)
    replay = _replayed(
        actor,
        request_id,
        "save",
        report__project=project,
        report__year=year,
        report__month=month,
    )
    if replay is not None:
        return replay
    _check_period(year, month)
    if not project.is_active:
        raise DomainError("项目已出库，不能填报月报。")
    _assert_open(project.county_id, year, month)
    report = (
        MonthlyReport.objects.select_for_update()
        .filter(project=project, year=year, month=month)
        .first()
    )
    if report is not None:  # the locked project and its county, as read: no second reads
        report.project, report.county = project, project.county
    created = report is None
    if report is None:
        report = MonthlyReport(
            project=project,
            county=project.county,
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
    # The table's check constraints (month 1–12, amounts ≥ 0) are the checks above
    # (_check_period, validate_report_values), which word them for the reporter; the database
    # still enforces them. Django would ask the database once more for each (a query apiece).
    full_clean_or_raise(
        report,
        exclude=["project", "county", "created_by", "reviewed_by", "problem_ref", "node"],
        validate_unique=False,
        validate_constraints=False,
    )
    for name in ("invest_month", "funds_month", "invest_ytd", "funds_ytd", "invest_total"):
        setattr(report, name, Decimal(getattr(report, name)).quantize(CENT))
    if not created:
        if snapshot(report) == before:
            return report  # an identical save: no version, no event
        _bump(report)
    report.save()
    _recompute_later(project.pk, year, month)
    _remember(actor, request_id, "save", report)
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
    report = _visible_report(actor, report)
    replay = _replayed(actor, request_id, action, report=report)
    if replay is not None:
        return replay
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
    _remember(actor, request_id, action, report)
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
    if action in ("approve", "return"):
        # The reporter hears of it through the notification centre (a module above projects).
        report_reviewed.send(
            sender=MonthlyReport, actor=actor, report=report, action=action, reason=reason
        )
    return report


def _submit_report(
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


@transaction.atomic(durable=True)
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
    return _save_report(
        actor=actor,
        project=project,
        year=year,
        month=month,
        data=data,
        version=version,
        request_id=request_id,
    )


@transaction.atomic(durable=True)
def submit_report(
    *,
    actor: User,
    report: MonthlyReport,
    version: int | None = None,
    request_id: str | None = None,
) -> MonthlyReport:
    """draft/returned → submitted. After the deadline the report is accepted and marked late."""
    return _submit_report(actor=actor, report=report, version=version, request_id=request_id)


@transaction.atomic(durable=True)
def save_and_submit_report(
    *,
    actor: User,
    project: Project,
    year: int,
    month: int,
    data: ReportInput,
    version: int | None = None,
    request_id: str | None = None,
) -> MonthlyReport:
    """保存并报送 in one transaction: either both are written or neither (a submit that failed
    after a committed save answered an error for a write that had landed)."""
    report = _save_report(
        actor=actor,
        project=project,
        year=year,
        month=month,
        data=data,
        version=version,
        request_id=request_id,
    )
    return _submit_report(actor=actor, report=report)


def _approve_change(actor: User) -> Callable[[MonthlyReport], None]:
    def change(r: MonthlyReport) -> None:
        r.status = S.APPROVED
        r.reviewed_by = actor
        r.reviewed_at = timezone.now()

    return change


def _approve_after(r: MonthlyReport, _was: str) -> None:
    _apply_stat(r, +1)
    _apply_milestone(r)


def _return_change(actor: User, reason: str) -> Callable[[MonthlyReport], None]:
    def change(r: MonthlyReport) -> None:
        r.status = S.RETURNED
        r.return_reason = reason[:300]
        r.reviewed_by = actor
        r.reviewed_at = timezone.now()

    return change


def _return_after(r: MonthlyReport, was: str) -> None:
    if was == S.APPROVED:
        _apply_stat(r, -1)


@transaction.atomic(durable=True)
def approve_report(
    *,
    actor: User,
    report: MonthlyReport,
    version: int | None = None,
    request_id: str | None = None,
) -> MonthlyReport:
    """submitted → approved (county reviewer); the roll-ups change in the same transaction."""
    return _transition(
        actor=actor,
        report=report,
        version=version,
        request_id=request_id,
        action="approve",
        role=Role.REVIEWER,
        allowed=(S.SUBMITTED,),
        verb="审核通过",
        change=_approve_change(actor),
        after_save=_approve_after,
    )


@dataclass
class BulkOutcome:
    """The result of approving several reports: each one was its own transaction."""

    approved: list[MonthlyReport]
    failed: list[tuple[MonthlyReport, str]]


def approve_reports(*, actor: User, items: list[tuple[MonthlyReport, int | None]]) -> BulkOutcome:
    """Approve several reports, each through `approve_report` (its own transaction and audit
    event); a refusal of one (stale version, state, lock) does not stop the others."""
    outcome = BulkOutcome([], [])
    for report, version in items:
        try:
            outcome.approved.append(approve_report(actor=actor, report=report, version=version))
        except DomainError as exc:
            outcome.failed.append((report, exc.message))
    return outcome


@transaction.atomic(durable=True)
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
    return _transition(
        actor=actor,
        report=report,
        version=version,
        request_id=request_id,
        action="return",
        role=Role.REVIEWER,
        allowed=(S.SUBMITTED, S.APPROVED),
        verb="退回",
        change=_return_change(actor, reason),
        after_save=_return_after,
        reason=reason,
    )


@transaction.atomic(durable=True)
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
