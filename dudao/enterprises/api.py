"""/api/v1 routes of the enterprises app. Function names become URL names (api:<name>); every
read starts from the user's scope (out of scope = 404, as missing)."""

from decimal import Decimal
from typing import Any

from django.http import Http404
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from dudao.core.bounds import Id, Year
from dudao.core.http import AuthedHttpRequest
from dudao.core.pagination import Pagination
from dudao.enterprises import selectors
from dudao.enterprises.models import Enterprise, EvaluationResult

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
