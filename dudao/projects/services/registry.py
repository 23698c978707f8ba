"""The project registry and annual plans: create and change a project (code, park, milestones),
save a plan."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.bounds import check_date, check_year
from dudao.core.exceptions import (
    DomainError,
    full_clean_or_raise,
    refuse_nulls,
)
from dudao.core.policies import require_role
from dudao.core.snapshot import diff, snapshot
from dudao.projects.codes import (
    check_code_area,
    check_industry_code,
    decode_project_code,
    normalise_uscc,
)
from dudao.projects.models import (
    MilestoneNode,
    MonthLock,
    MonthlyReport,
    Project,
    ProjectMilestone,
    ProjectYearPlan,
)

if TYPE_CHECKING:
    from dudao.accounts.models import User

from dudao.projects.selectors import locked_months, months_text
from dudao.projects.services._base import (
    PROJECT_FIELDS,
    _bump,
    _check_version,
    _county_in_scope,
    _same_values,
    _visible_project,
    area_index,
    known_area_codes,
)
from dudao.projects.services.rollups import (
    _refresh_plan_rollup,
)


def _apply_code(project: Project, *, check_area: bool = True) -> None:
    """Decode the national code into its parts; with `check_area`, its area part must belong
    to the project's county (`codes.check_code_area`, city-level exception documented there)."""
    if not project.code:
        project.code = None
        project.code_scheme = ""
        project.code_year = project.code_month = None
        project.code_area = project.code_sector = project.code_type = ""
        return
    decoded = decode_project_code(project.code, known_area_codes())
    if check_area and project.county_id is not None:
        check_code_area(decoded.code, decoded.area, project.county_id, area_index())
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


def _park_in_scope(actor: User, project: Project) -> None:
    """A project may be linked only to a park of the actor's scope."""
    from dudao.parks.selectors import park_in_scope

    if project.park_id is not None and park_in_scope(actor, project.park_id) is None:
        raise DomainError("所选园区不存在或不在您的数据范围内。", field="park")


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
        for value, kind in ((planned, "计划日期"), (actual, "实际日期")):
            if value is not None:  # a date typed as 3026-01-01 is refused, not stored
                check_date(value, label=f"“{node.name}”{kind}", field="milestones")
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


def milestone_state_json(project: Project) -> dict[str, list[str]]:
    """The milestones as the audit records them: code → [planned, actual] ("" when none)."""
    return {k: [str(v[0] or ""), str(v[1] or "")] for k, v in milestone_state(project).items()}


@transaction.atomic(durable=True)
def create_project(
    *,
    actor: User,
    lists: list[Any] | None = None,
    milestones: dict[str, tuple[Any, Any]] | None = None,
    **fields: Any,
) -> Project:
    """Register a project in a county of the actor's scope."""
    return _create_project(actor=actor, lists=lists, milestones=milestones, **fields)


def _create_project(
    *,
    actor: User,
    lists: list[Any] | None = None,
    milestones: dict[str, tuple[Any, Any]] | None = None,
    **fields: Any,
) -> Project:
    """`create_project` inside the caller's transaction (the 招商 promotion registers the
    project and links the deal in one transaction, with the same validation and audit)."""
    require_role(actor, Role.REPORTER, Role.SUPERVISOR)
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise DomainError(f"不可填写的字段：{'、'.join(sorted(unknown))}")
    project = Project(**fields)
    if project.county_id is None:
        raise DomainError("必须选择所在县（市、区）。", field="county")
    _county_in_scope(actor, project.county)
    _park_in_scope(actor, project)
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


GROUPING = {"category_id": "项目类别", "county_id": "所在县（市、区）", "park_id": "所在园区"}
GROUPING_LABELS = {**GROUPING, "is_active": "在库状态", "lists": "所属名单"}


def _grouping_keeps_locked_months(
    project: Project, before: dict[str, Any], after: dict[str, Any]
) -> None:
    """A project with approved reports in a locked month keeps what the analysis groups it by
    (category, county, park, lists, in or out of the registry): changing it would move the
    locked month's figures."""
    changed = [k for k in GROUPING_LABELS if before.get(k) != after.get(k)]
    if not changed:
        return
    locks = MonthLock.objects.filter(is_active=True).filter(
        Q(county_id=before["county_id"]) | Q(county__isnull=True)
    )
    locked = {(y, m) for y, m in locks.values_list("year", "month")}
    approved = set(
        MonthlyReport.objects.filter(
            project=project, status=MonthlyReport.Status.APPROVED
        ).values_list("year", "month")
    )
    frozen = sorted(locked & approved)
    if frozen:
        y, m = frozen[-1]
        raise DomainError(
            f"该项目在已锁定的{y}年{m}月等月份有已审核月报，不能修改"
            f"{'、'.join(GROUPING_LABELS[k] for k in changed)}（会改变已锁定月份的数据）。"
            "如确需修改，请先由督查人员说明原因解锁。",
            field=changed[0].removesuffix("_id"),
        )


@transaction.atomic(durable=True)
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
    refuse_nulls(Project, changes)
    before = snapshot(project) | {"lists": sorted(str(x) for x in project.lists.all())}
    before["milestones"] = milestone_state_json(project)
    for field, value in changes.items():
        setattr(project, field, value.strip() if isinstance(value, str) else value)
    if "county" in changes:
        _county_in_scope(actor, project.county)
    if "park" in changes:
        _park_in_scope(actor, project)
    # Only a new code or county is checked against each other: an unrelated edit of a project
    # registered before the rule existed is not refused for it.
    _apply_code(project, check_area="code" in changes or "county" in changes)
    _validate_project(project)
    if milestones is not None:
        wanted = {k: [str(v[0] or ""), str(v[1] or "")] for k, v in milestones.items()}
        if any(before["milestones"].get(k, ["", ""]) != v for k, v in wanted.items()):
            _save_milestones(project, milestones)
    _check_started(project, None)
    would_be = snapshot(project) | {
        "lists": sorted(str(x) for x in lists) if lists is not None else before["lists"],
        "milestones": milestone_state_json(project),
    }
    _grouping_keeps_locked_months(project, before, would_be)
    if _same_values(before, would_be):
        # nothing changed: no version, no event (the values read back as stored)
        project.refresh_from_db()
        return project
    _bump(project)
    project.save()
    if lists is not None:
        project.lists.set(lists)
    after = snapshot(project) | {"lists": sorted(str(x) for x in project.lists.all())}
    after["milestones"] = milestone_state_json(project)
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


def _same_curve(old: list[Any] | None, new: list[str] | None) -> bool:
    if not old or not new:
        return not old and not new
    return [Decimal(str(v)) for v in old] == [Decimal(v) for v in new]


def _plan_keeps_locked_months(
    plan: ProjectYearPlan, created: bool, planned: Decimal, curve: list[str] | None
) -> None:
    """Refuse a plan change that would move a locked month's figures (see `save_plan`): the
    planned investment feeds every month's 序时进度 and the analysis's plan sums, a curve's
    figure feeds its month's lag."""
    locked = locked_months(plan.county_id, plan.year)
    if not locked:
        return
    when = f"{plan.year}年{months_text(locked)}已锁定"
    advice = "如确需修改，请先由督查人员说明原因解锁。"
    if created:
        raise DomainError(f"{when}，不能新增该年度计划（会改变已锁定月份的数据）。{advice}")
    if planned != Decimal(plan.planned_investment):
        raise DomainError(
            f"{when}，年度计划投资不能修改（已锁定月份的数据按原计划计算）。{advice}",
            field="planned_investment",
        )
    old = plan.curve or None
    if (old is None) != (curve is None) or (
        old is not None
        and curve is not None
        and any(Decimal(str(old[m - 1])) != Decimal(curve[m - 1]) for m in locked)
    ):
        raise DomainError(f"{when}，已锁定月份的按月计划累计投资不能修改。{advice}", field="curve")


@transaction.atomic(durable=True)
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
    """Create or change a project's annual plan.

    The year-to-date rule: the plan cannot fall below the approved year-to-date. The lock rule:
    when months of the year are locked for the project's county, nothing those months' figures
    are computed from may change — the plan's existence, its planned investment (序时进度 of
    every month without a curve) and the curve's figures of the locked months — until they are
    unlocked with a reason. A save that changes nothing writes nothing."""
    require_role(actor, Role.REPORTER, Role.SUPERVISOR)
    check_year(year, label="计划年度", field="year")
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
    if not created and planned_investment < plan.approved_ytd:
        raise DomainError(
            f"年度计划投资（{planned_investment}万元）不能低于已审核的年内累计完成投资"
            f"（{plan.approved_ytd}万元）。",
            field="planned_investment",
        )
    new_curve: list[str] | None = None
    if curve:
        values = [Decimal(str(v)) for v in curve]
        if len(values) != 12:
            raise DomainError("按月计划累计投资应为 12 个数。", field="curve")
        if any(b < a for a, b in itertools.pairwise(values)) or values[0] < 0:
            raise DomainError("按月计划累计投资应逐月不减。", field="curve")
        if values[-1] != planned_investment:
            raise DomainError("按月计划累计投资的 12 月数应等于年度计划投资。", field="curve")
        new_curve = [str(v) for v in values]
    _plan_keeps_locked_months(plan, created, planned_investment, new_curve)
    codes = list(planned_nodes or [])
    known = set(MilestoneNode.objects.filter(code__in=codes).values_list("code", flat=True))
    if set(codes) - known:
        raise DomainError(
            f"未知的节点：{'、'.join(sorted(set(codes) - known))}", field="planned_nodes"
        )
    if (
        not created
        and planned_investment == plan.planned_investment
        and _same_curve(plan.curve, new_curve)
        and list(plan.planned_nodes or []) == codes
    ):
        return plan  # nothing changed: no version, no event
    plan.curve = new_curve
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
