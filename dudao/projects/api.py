"""/api/v1 endpoints of 重大项目. Function names become URL names (api:<name>): all prefixed
with `projects_`. Everything is scope-filtered (out of scope → 404); writes go through the
services (stale version → 409 with the current values; a repeated request id writes nothing)."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from dudao.accounts.models import User
from dudao.core.apibody import body_doc, parse_body
from dudao.core.apiout import paged, trusted_response
from dudao.core.bounds import Id, Year, check_year
from dudao.core.http import AuthedHttpRequest
from dudao.core.pagination import Pagination
from dudao.orgs.models import Organisation
from dudao.projects import selectors, services
from dudao.projects.models import (
    MilestoneNode,
    MonthlyReport,
    Project,
    ProjectCategory,
    ProjectList,
    ProjectYearPlan,
)
from dudao.projects.rules import quarter_of

router = Router(tags=["重大项目"])


class ProjectOut(Schema):
    id: int
    code: str | None
    code_scheme: str
    code_year: int | None
    code_month: int | None
    code_area: str
    name: str
    category: str
    stage: str
    level: str
    build_nature: str
    county_id: Id
    county: str
    park_id: Id | None
    in_park: bool
    industry_code: str
    builder_name: str
    builder_uscc: str
    total_investment: Decimal
    invest_before: Decimal
    responsible_unit: str
    lead_leader: str
    liaison: str
    lists: list[str]
    is_active: bool
    version: int

    @staticmethod
    def resolve_category(obj: Project) -> str:
        return obj.category.code

    @staticmethod
    def resolve_county(obj: Project) -> str:
        return obj.county.name

    @staticmethod
    def resolve_lists(obj: Project) -> list[str]:
        return [x.code for x in obj.lists.all()]


class ProjectIn(Schema):
    code: str = ""
    name: str
    category: str = Field(description="项目类别编码，如 industry")
    stage: str
    level: str
    build_nature: str = Project.BuildNature.NEW
    county_id: Id
    park_id: Id | None = None
    industry_code: str = ""
    builder_name: str = ""
    builder_uscc: str = ""
    total_investment: Decimal
    invest_before: Decimal = Decimal(0)
    description: str = ""
    responsible_unit: str = ""
    lead_leader: str = ""
    liaison: str = ""
    liaison_phone: str = ""
    lists: list[str] = []
    milestones: dict[str, list[dt.date | None]] = Field(
        default={}, description="节点编码 → [计划日期, 实际日期]"
    )


class ProjectPatch(Schema):
    model_config = ConfigDict(extra="forbid")  # a field the caller may not change: 422

    version: int
    name: str | None = None
    code: str | None = None
    stage: str | None = None
    level: str | None = None
    total_investment: Decimal | None = None
    invest_before: Decimal | None = None
    builder_name: str | None = None
    builder_uscc: str | None = None
    industry_code: str | None = None
    responsible_unit: str | None = None
    lead_leader: str | None = None
    liaison: str | None = None
    liaison_phone: str | None = None
    is_active: bool | None = None
    lists: list[str] | None = None
    milestones: dict[str, list[dt.date | None]] | None = None


def _milestones(data: dict[str, list[dt.date | None]] | None) -> dict[str, tuple[Any, Any]] | None:
    if data is None:
        return None
    return {k: (v[0] if v else None, v[1] if len(v) > 1 else None) for k, v in data.items()}


def _lists(codes: list[str] | None) -> list[ProjectList] | None:
    if codes is None:
        return None
    found = list(ProjectList.objects.filter(code__in=codes))
    if len(found) != len(set(codes)):
        from dudao.core.exceptions import DomainError

        raise DomainError("存在未知的名单编码。", field="lists")
    return found


def _actor(request: AuthedHttpRequest) -> User:
    """The authenticated caller (the API's auth guarantees a User)."""
    return request.user


def _project(request: AuthedHttpRequest, project_id: Id) -> Project:
    return selectors.get_project(_actor(request), project_id)


# A page of the list: the shape (and OpenAPI name) ninja's @paginate(Pagination) gives, built
# by hand so the rows are rendered as trusted selector output (dudao.core.apiout).
class PagedProjectOut(Schema):
    items: list[ProjectOut]
    count: int


@router.get(
    "/projects",
    response=PagedProjectOut,
    url_name="projects_list",
    summary="重大项目清单（可按县区、园区、类别、阶段、级别、名单、亮灯筛选）",
)
def projects_list(
    request: AuthedHttpRequest,
    county: Id | None = None,
    park: Id | None = None,
    category: Id | None = None,
    stage: str = "",
    level: str = "",
    list_id: Id | None = None,
    light: str = "",
    q: str = "",
    period: str = "",
    *,
    page: Query[Pagination.Input],
) -> HttpResponse:
    # the month matters only to the light filter (a given period is still checked)
    year, month = selectors.api_period(period) if period.strip() else (None, None)
    f = selectors.ProjectFilters(county, park, category, stage, level, list_id, light, q)
    rows, total = selectors.api_project_page(
        _actor(request), f, year, month, offset=page.offset, limit=page.limit
    )
    return trusted_response(paged(rows, total))


@router.post(
    "/projects", response={201: ProjectOut}, url_name="projects_create", summary="登记重大项目"
)
def projects_create(request: AuthedHttpRequest, payload: ProjectIn) -> Any:
    data = payload.dict()
    county = get_object_or_404(
        Organisation.objects.visible_to(request.user), pk=data.pop("county_id")
    )
    park_id = data.pop("park_id")
    category = get_object_or_404(ProjectCategory, code=data.pop("category"))
    project = services.create_project(
        actor=_actor(request),
        lists=_lists(data.pop("lists")),
        milestones=_milestones(data.pop("milestones")),
        county=county,
        category=category,
        park=selectors.park_for_link(_actor(request), park_id),
        **data,
    )
    return Status(201, project)


@router.get(
    "/projects/{project_id}",
    response=ProjectOut,
    url_name="projects_detail",
    summary="单个重大项目",
)
def projects_detail(request: AuthedHttpRequest, project_id: Id) -> Project:
    return _project(request, project_id)


@router.patch(
    "/projects/{project_id}",
    response=ProjectOut,
    url_name="projects_update",
    summary="修改重大项目（需带 version；版本过期返回 409 及当前值）",
    openapi_extra=body_doc(ProjectPatch),
)
def projects_update(request: AuthedHttpRequest, project_id: Id) -> Project:
    project = _project(request, project_id)
    payload = parse_body(request, ProjectPatch)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    return services.update_project(
        actor=_actor(request),
        project=project,
        version=version,
        lists=_lists(data.pop("lists", None)),
        milestones=_milestones(data.pop("milestones", None)),
        **data,
    )


class PlanOut(Schema):
    year: int
    planned_investment: Decimal
    curve: list[Decimal] | None
    planned_nodes: list[str]
    approved_ytd: Decimal
    approved_month: int
    version: int


class PlanIn(Schema):
    model_config = ConfigDict(extra="forbid")  # a field the caller may not change: 422

    planned_investment: Decimal
    curve: list[Decimal] | None = None
    planned_nodes: list[str] = []
    version: int | None = None


@router.get(
    "/projects/{project_id}/plans",
    response=list[PlanOut],
    url_name="projects_plans",
    summary="项目的年度计划",
)
def projects_plans(request: AuthedHttpRequest, project_id: Id) -> Any:
    return ProjectYearPlan.objects.filter(project=_project(request, project_id)).order_by("year")


@router.put(
    "/projects/{project_id}/plans/{year}",
    response=PlanOut,
    url_name="projects_plan_save",
    summary="保存某年度计划",
    openapi_extra=body_doc(PlanIn),
)
def projects_plan_save(request: AuthedHttpRequest, project_id: Id, year: Year) -> Any:
    project = _project(request, project_id)
    payload = parse_body(request, PlanIn)
    return services.save_plan(
        actor=_actor(request),
        project=project,
        year=year,
        planned_investment=payload.planned_investment,
        curve=payload.curve,
        planned_nodes=payload.planned_nodes,
        version=payload.version,
    )


class ReportOut(Schema):
    id: int
    project_id: Id
    year: int
    month: int
    invest_month: Decimal
    invest_ytd: Decimal
    invest_total: Decimal
    funds_month: Decimal
    funds_ytd: Decimal
    node: str | None
    node_date: dt.date | None
    progress_text: str
    has_problem: bool
    problem_text: str
    next_steps: str
    note: str
    status: str
    return_reason: str
    is_late: bool
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    version: int

    @staticmethod
    def resolve_node(obj: MonthlyReport) -> str | None:
        node = obj.node if obj.node_id else None
        return node.code if node is not None else None


class ReportIn(Schema):
    model_config = ConfigDict(extra="forbid")  # a field the caller may not change: 422

    invest_month: Decimal
    funds_month: Decimal = Decimal(0)
    node: str | None = Field(default=None, description="节点编码，如 START")
    node_date: dt.date | None = None
    progress_text: str = ""
    has_problem: bool = False
    problem_text: str = ""
    next_steps: str = ""
    note: str = ""
    version: int | None = None
    request_id: str | None = Field(
        default=None, max_length=64, description="客户端请求编号：重复提交不会重复写入"
    )


class ActionIn(Schema):
    version: int | None = None
    request_id: str | None = Field(default=None, max_length=64)
    reason: str = ""


@router.get(
    "/projects/{project_id}/reports",
    response=list[ReportOut],
    url_name="projects_reports",
    summary="项目的月报",
)
def projects_reports(request: AuthedHttpRequest, project_id: Id) -> HttpResponse:
    return trusted_response(selectors.project_report_rows(_actor(request), project_id))


@router.put(
    "/projects/{project_id}/reports/{period}",
    response=ReportOut,
    url_name="projects_report_save",
    summary="保存某月月报（period 如 2026-10）",
    openapi_extra=body_doc(ReportIn),
)
def projects_report_save(request: AuthedHttpRequest, project_id: Id, period: str) -> Any:
    project = _project(request, project_id)
    payload = parse_body(request, ReportIn)
    year, month = selectors.api_period(period)
    node = get_object_or_404(MilestoneNode, code=payload.node) if payload.node else None
    data = services.ReportInput(
        invest_month=payload.invest_month,
        funds_month=payload.funds_month,
        node=node,
        node_date=payload.node_date,
        progress_text=payload.progress_text,
        has_problem=payload.has_problem,
        problem_text=payload.problem_text,
        next_steps=payload.next_steps,
        note=payload.note,
    )
    return services.save_report(
        actor=_actor(request),
        project=project,
        year=year,
        month=month,
        data=data,
        version=payload.version,
        request_id=payload.request_id,
    )


def _report(request: AuthedHttpRequest, report_id: Id) -> MonthlyReport:
    return selectors.get_report(_actor(request), report_id)


@router.get(
    "/project-reports/{report_id}",
    response=ReportOut,
    url_name="projects_report_detail",
    summary="单份月报",
)
def projects_report_detail(request: AuthedHttpRequest, report_id: Id) -> MonthlyReport:
    return _report(request, report_id)


def _act(request: AuthedHttpRequest, report_id: Id, service: Any, **extra: Any) -> Any:
    """Find the report in scope, then parse the body, then call the workflow service."""
    report = _report(request, report_id)
    payload = parse_body(request, ActionIn)
    if service is services.return_report:
        extra["reason"] = payload.reason
    return service(
        actor=_actor(request),
        report=report,
        version=payload.version,
        request_id=payload.request_id,
        **extra,
    )


def _action_route(action: str, summary: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return router.post(
        f"/project-reports/{{report_id}}/{action}",
        response=ReportOut,
        url_name=f"projects_report_{action}",
        summary=summary,
        openapi_extra=body_doc(ActionIn),
    )


@_action_route("submit", "报送月报（填报员）")
def projects_report_submit(request: AuthedHttpRequest, report_id: Id) -> Any:
    return _act(request, report_id, services.submit_report)


@_action_route("approve", "审核通过（县区审核员）")
def projects_report_approve(request: AuthedHttpRequest, report_id: Id) -> Any:
    return _act(request, report_id, services.approve_report)


@_action_route("return", "退回（县区审核员，须填原因）")
def projects_report_return(request: AuthedHttpRequest, report_id: Id) -> Any:
    return _act(request, report_id, services.return_report)


class LockOut(Schema):
    id: int
    county_id: Id | None
    year: int
    month: int
    is_active: bool
    locked_at: dt.datetime
    unlocked_at: dt.datetime | None
    unlock_reason: str


class LockIn(Schema):
    period: str
    county_id: Id | None = None


class UnlockIn(Schema):
    reason: str


@router.get(
    "/project-locks", response=list[LockOut], url_name="projects_locks", summary="月报锁定记录"
)
def projects_locks(request: AuthedHttpRequest) -> Any:
    return selectors.recent_locks(_actor(request))


@router.post(
    "/project-locks",
    response={201: LockOut},
    url_name="projects_lock",
    summary="锁定某月（督查员；截止日后，按县区或全市；该月仍有待审核月报时拒绝）",
)
def projects_lock(request: AuthedHttpRequest, payload: LockIn) -> Any:
    year, month = selectors.api_period(payload.period)
    county = None
    if payload.county_id is not None:
        county = get_object_or_404(
            Organisation.objects.visible_to(request.user), pk=payload.county_id
        )
    lock = services.lock_month(
        actor=_actor(request),
        year=year,
        month=month,
        county=county,
    )
    return Status(201, lock)


@router.post(
    "/project-locks/{lock_id}/unlock",
    response=LockOut,
    url_name="projects_unlock",
    summary="解锁（督查员，须填原因）",
    openapi_extra=body_doc(UnlockIn),
)
def projects_unlock(request: AuthedHttpRequest, lock_id: Id) -> Any:
    lock = selectors.get_lock(_actor(request), lock_id)
    payload = parse_body(request, UnlockIn)
    return services.unlock_month(
        actor=_actor(request),
        lock=lock,
        reason=payload.reason,
    )


class AnalysisProgressOut(Schema):
    plan: Decimal
    done: Decimal | None
    elapsed_pct: Decimal
    rate_pct: Decimal | None
    lag: Decimal | None
    light: str
    reached: str


class UnitOut(Schema):
    key: int | None
    name: str
    projects: int
    plan: Decimal
    done: Decimal
    progress: AnalysisProgressOut | None
    lights: dict[str, int]
    reported: int
    on_time: int
    report_rate: Decimal | None
    on_time_rate: Decimal | None
    rank: int | None
    rank_change: int | None


class AnalysisOut(Schema):
    year: int
    month: int
    elapsed_pct: Decimal
    counties: list[UnitOut]
    categories: list[UnitOut]
    total: UnitOut


@router.get(
    "/project-analysis",
    response=AnalysisOut,
    url_name="projects_analysis",
    summary="项目分析：各县区、各类别的完成率、序时进度、亮灯、排名、报送率",
)
def projects_analysis(request: AuthedHttpRequest, period: str = "") -> Any:
    year, month = selectors.api_period(period)
    return selectors.city_analysis(_actor(request), year, month)


class TargetOut(Schema):
    county_id: Id
    county: str
    metric: str
    label: str
    target: int | None
    actual: int

    @staticmethod
    def resolve_county_id(obj: Any) -> int:
        return int(obj.county.pk)

    @staticmethod
    def resolve_county(obj: Any) -> str:
        return str(obj.county.name)


@router.get(
    "/project-targets",
    response=list[TargetOut],
    url_name="projects_targets",
    summary="季度新开工/竣工/投产目标与实际",
)
def projects_targets(
    request: AuthedHttpRequest, year: Year | None = None, quarter: int | None = None
) -> Any:
    default_year, month = selectors.reporting_period()
    if year is not None:
        check_year(year, label="年度", field="year")
    quarter = quarter or quarter_of(month)
    if not 1 <= quarter <= 4:
        raise Http404
    return selectors.quarter_targets(_actor(request), year or default_year, quarter)
