"""/api/v1 routes of the enterprises app. Function names become URL names (api:<name>); every
read starts from the user's scope (out of scope = 404, as missing)."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from dudao.core.apibody import body_doc, parse_body
from dudao.core.bounds import Id, Year
from dudao.core.exceptions import DomainError
from dudao.core.http import AuthedHttpRequest
from dudao.core.pagination import Pagination
from dudao.enterprises import selectors, service_selectors, services
from dudao.enterprises.models import Demand, Enterprise, EvaluationResult, Visit
from dudao.orgs.models import Organisation

router = Router(tags=["企业服务与亩均效益"])


class EnterpriseOut(Schema):
    id: int
    uscc: str
    name: str
    organisation_code: str
    park_code: str | None
    industry_code: str
    above_scale: bool
    land_own_mu: Decimal | None
    land_leased_mu: Decimal | None
    employees: int | None
    ungraded_class: str
    status: str

    @staticmethod
    def resolve_organisation_code(obj: Enterprise) -> str:
        return obj.organisation.code

    @staticmethod
    def resolve_park_code(obj: Enterprise) -> str | None:
        return obj.park.code if obj.park else None


class EnterpriseFilterIn(Schema):
    q: str = ""
    park: Id | None = None
    scale: str = ""
    order: str = ""


class EvaluationItemOut(Schema):
    metric: str
    weight: str
    value: str | None
    benchmark: str | None
    ratio: str | None
    capped: bool
    score: str | None
    missing: bool
    missing_rule: str


class EvaluationResultOut(Schema):
    enterprise_id: int
    enterprise_name: str
    year: int
    scale: str
    items: list[EvaluationItemOut]
    item_score: Decimal
    bonus: Decimal
    penalty: Decimal
    total: Decimal
    rank: int | None
    ranked_count: int | None
    percentile: Decimal | None
    grade: str
    graded: bool
    ungraded_class: str

    @staticmethod
    def resolve_enterprise_name(obj: EvaluationResult) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_year(obj: EvaluationResult) -> int:
        return obj.run.year


@router.get(
    "/enterprises",
    response=list[EnterpriseOut],
    url_name="enterprises_list",
    summary="数据范围内的企业",
)
@paginate(Pagination)
def enterprises_list(request: AuthedHttpRequest, filters: Query[EnterpriseFilterIn]) -> Any:
    f = selectors.EnterpriseFilter(
        q=filters.q.strip()[:60],
        park=filters.park,
        scale=filters.scale if filters.scale in {"above", "below"} else "",
    )
    return selectors.list_enterprises(request.user, f, filters.order)


@router.get(
    "/enterprises/{enterprise_id}",
    response=EnterpriseOut,
    url_name="enterprises_detail",
    summary="单个企业",
)
def enterprises_detail(request: AuthedHttpRequest, enterprise_id: Id) -> Enterprise:
    return selectors.get_enterprise(request.user, enterprise_id)


@router.get(
    "/enterprises-evaluation/{year}",
    response=list[EvaluationResultOut],
    url_name="enterprises_results",
    summary="某年度亩均效益评价结果（现行）",
)
@paginate(Pagination)
def enterprises_results(request: AuthedHttpRequest, year: Year, park: Id | None = None) -> Any:
    run = selectors.current_run(request.user, year)
    if run is None:
        raise Http404("该年度尚未开展评价或不在您的数据范围内。")
    return (
        selectors.grade_list(request.user, run, park=park)
        .select_related("run", "enterprise", "park")
        .order_by(*selectors.RESULT_SORTS["rank"], "id")
    )


# --- enterprise service: demands and visits -----------------------------------------------------


class EnterpriseDemandOut(Schema):
    id: int
    code: str
    enterprise_id: int
    enterprise_name: str
    source: str
    raised_on: date
    category: str
    title: str
    content: str
    department_code: str
    department_name: str
    sla_workdays: int
    routed_on: date
    due_on: date
    due_provisional: bool
    status: str
    answer: str
    answered_on: date | None
    answered_on_time: bool | None
    confirmed_on: date | None
    confirmed_on_behalf: bool
    satisfaction: int | None
    satisfaction_comment: str
    reopen_count: int
    problem_id: int | None
    version: int

    @staticmethod
    def resolve_enterprise_name(obj: Demand) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_department_code(obj: Demand) -> str:
        return obj.department.code

    @staticmethod
    def resolve_department_name(obj: Demand) -> str:
        return obj.department.name


class EnterpriseDemandFilterIn(Schema):
    status: str = ""
    inbox: bool = False


class EnterpriseDemandIn(Schema):
    enterprise_id: Id | None = None
    category: str = Field(max_length=12)
    title: str = Field(max_length=120)
    content: str = Field(max_length=4000)
    department_code: str = Field(max_length=40)


class EnterpriseDemandAnswerIn(Schema):
    answer: str = Field(max_length=4000)
    version: int | None = None


class EnterpriseDemandConfirmIn(Schema):
    satisfaction: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=500)
    version: int | None = None


class EnterpriseVisitOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str
    officer_name: str
    officer_unit: str
    visited_on: date
    people_met: str
    notes: str
    demand_codes: list[str]

    @staticmethod
    def resolve_enterprise_name(obj: Visit) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_officer_name(obj: Visit) -> str:
        return obj.officer.full_name

    @staticmethod
    def resolve_officer_unit(obj: Visit) -> str:
        return obj.officer_unit.name

    @staticmethod
    def resolve_demand_codes(obj: Visit) -> list[str]:
        return [d.code for d in obj.demands.all()]


class EnterpriseVisitIn(Schema):
    enterprise_id: Id
    visited_on: date
    people_met: str = Field(max_length=200)
    notes: str = Field("", max_length=4000)
    demands: list[EnterpriseDemandIn] = Field(default_factory=list, max_length=10)


def _department(code: str) -> Organisation:
    found = service_selectors.department_choices().filter(code=code).first()
    if found is None:
        raise DomainError("责任部门不存在。", field="department_code")
    return found


def _demand_input(p: EnterpriseDemandIn) -> services.DemandInput:
    return services.DemandInput(
        category=p.category,
        title=p.title,
        content=p.content,
        department=_department(p.department_code),
    )


@router.get(
    "/enterprises-demands",
    response=list[EnterpriseDemandOut],
    url_name="enterprises_demands",
    summary="数据范围内的企业诉求（企业账户只见本企业；inbox=true 为本单位待办）",
)
@paginate(Pagination)
def enterprises_demands(
    request: AuthedHttpRequest, filters: Query[EnterpriseDemandFilterIn]
) -> Any:
    today = timezone.localdate()
    if filters.inbox:
        return service_selectors.inbox(request.user, today, filters.status).order_by(
            "-overdue", "due_on", "id"
        )
    qs = service_selectors.demands(request.user, today).select_related("enterprise", "department")
    if filters.status in Demand.Status.values:
        qs = qs.filter(status=filters.status)
    return qs.order_by("-raised_on", "-id")


@router.post(
    "/enterprises-demands",
    response={201: EnterpriseDemandOut},
    url_name="enterprises_demands",
    summary="提出企业诉求（企业账户为本企业；联企干部须给出 enterprise_id）",
)
def enterprises_demand_create(
    request: AuthedHttpRequest, payload: EnterpriseDemandIn
) -> Status[Demand]:
    user = request.user
    if services.is_enterprise_account(user):
        enterprise = service_selectors.bound_enterprise(user)
    else:
        if payload.enterprise_id is None:
            raise DomainError("请给出企业。", field="enterprise_id")
        enterprise = service_selectors.officer_enterprise(
            user, payload.enterprise_id, timezone.localdate()
        )
    demand = services.raise_demand(actor=user, enterprise=enterprise, data=_demand_input(payload))
    return Status(201, service_selectors.get_demand(user, demand.pk, timezone.localdate()))


@router.get(
    "/enterprises-demands/{demand_id}",
    response=EnterpriseDemandOut,
    url_name="enterprises_demand",
    summary="单个企业诉求",
)
def enterprises_demand(request: AuthedHttpRequest, demand_id: Id) -> Demand:
    return service_selectors.get_demand(request.user, demand_id, timezone.localdate())


@router.post(
    "/enterprises-demands/{demand_id}/answer",
    response=EnterpriseDemandOut,
    url_name="enterprises_demand_answer",
    summary="责任部门答复诉求",
    openapi_extra=body_doc(EnterpriseDemandAnswerIn),
)
def enterprises_demand_answer(request: AuthedHttpRequest, demand_id: Id) -> Demand:
    today = timezone.localdate()
    demand = service_selectors.get_demand(request.user, demand_id, today)
    p = parse_body(request, EnterpriseDemandAnswerIn)
    services.answer_demand(actor=request.user, demand=demand, answer=p.answer, version=p.version)
    return service_selectors.get_demand(request.user, demand_id, today)


@router.post(
    "/enterprises-demands/{demand_id}/confirm",
    response=EnterpriseDemandOut,
    url_name="enterprises_demand_confirm",
    summary="企业确认办结并评价（联企干部可代为确认，记为代确认）",
    openapi_extra=body_doc(EnterpriseDemandConfirmIn),
)
def enterprises_demand_confirm(request: AuthedHttpRequest, demand_id: Id) -> Demand:
    today = timezone.localdate()
    demand = service_selectors.get_demand(request.user, demand_id, today)
    p = parse_body(request, EnterpriseDemandConfirmIn)
    services.confirm_demand(
        actor=request.user,
        demand=demand,
        satisfaction=p.satisfaction,
        comment=p.comment,
        version=p.version,
    )
    return service_selectors.get_demand(request.user, demand_id, today)


@router.get(
    "/enterprises-visits",
    response=list[EnterpriseVisitOut],
    url_name="enterprises_visits",
    summary="数据范围内的走访记录（含本人的走访）",
)
@paginate(Pagination)
def enterprises_visits(request: AuthedHttpRequest) -> Any:
    return service_selectors.visits(request.user, timezone.localdate()).prefetch_related("demands")


@router.post(
    "/enterprises-visits",
    response={201: EnterpriseVisitOut},
    url_name="enterprises_visits",
    summary="登记走访（联企干部），可同时提出诉求",
)
def enterprises_visit_create(
    request: AuthedHttpRequest, payload: EnterpriseVisitIn
) -> Status[Visit]:
    today = timezone.localdate()
    enterprise = service_selectors.officer_enterprise(request.user, payload.enterprise_id, today)
    visit = services.log_visit(
        actor=request.user,
        enterprise=enterprise,
        visited_on=payload.visited_on,
        people_met=payload.people_met,
        notes=payload.notes,
        demands=[_demand_input(d) for d in payload.demands],
    )
    return Status(201, service_selectors.get_visit(request.user, visit.pk, today))


@router.get(
    "/enterprises-visits/{visit_id}",
    response=EnterpriseVisitOut,
    url_name="enterprises_visit",
    summary="单次走访记录",
)
def enterprises_visit(request: AuthedHttpRequest, visit_id: Id) -> Visit:
    return service_selectors.get_visit(request.user, visit_id, timezone.localdate())
