"""/api/v1/targets/… endpoints. Function names become URL names (api:<name>): keep them unique.

Every list is scope-filtered by the selectors (a county sees its own rows only; an object
outside the scope is 404). ``period`` is "YYYY-MM" (default: last month).
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from dudao.core.apibody import body_doc, parse_body
from dudao.core.bounds import Id, Year
from dudao.core.exceptions import DomainError
from dudao.core.http import AuthedHttpRequest
from dudao.core.pagination import Pagination
from dudao.core.periods import Period, parse_month
from dudao.orgs.models import Organisation
from dudao.targets import selectors, services

router = Router(tags=["年度目标"])


def default_period() -> Period:
    """Last month: the latest month whose figures can be reported."""
    return Period.of(timezone.localdate()).previous_month()


def _period(text: str) -> Period:
    return parse_month(text[:20]) if text.strip() else default_period()


class SetOut(Schema):
    id: int
    year: int
    title: str
    document: str
    issuer_id: int
    issuer_name: str
    level: str
    level_label: str
    status: str
    status_label: str
    version: int

    @staticmethod
    def resolve_issuer_name(obj: Any) -> str:
        return str(obj.issuer.name)

    @staticmethod
    def resolve_level_label(obj: Any) -> str:
        return str(obj.get_level_display())

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return str(obj.get_status_display())


class TargetProgressOut(Schema):
    set_id: int
    unit_id: int
    unit_name: str
    indicator_code: str
    indicator_name: str
    kind: str
    target_display: str
    actual_display: str
    completion_rate: Decimal | None = Field(None, description="完成率（百分数，按显示值）")
    schedule_rate: Decimal | None = Field(None, description="序时进度（百分数）")
    gap_pp: Decimal | None = Field(None, description="超（负数为落后）序时进度或目标的个百分点")
    gap_display: str
    light: str
    weak: bool
    sentence: str


class SheetRowOut(TargetProgressOut):
    row_id: int
    weight: Decimal
    class_name: str
    rank_in_class: int | None
    trend: str
    forecast: str = Field(description="年底预计（估算），如“按线性估算：90.4亿元”")
    province_rank: str
    improvement_task_id: int | None
    improvement_status: str


class TargetStandingOut(Schema):
    unit_id: int
    unit_name: str
    class_name: str
    weighted_score: Decimal | None
    rank_in_class: int | None
    rank_change: int | None
    weak_links: int
    rows: int


class ImprovementIn(Schema):
    period: str = Field(description="发现薄弱环节的月份 YYYY-MM", max_length=7)
    owner_id: Id = Field(description="整改牵头单位")
    deadline: dt.date
    measure: str = Field(min_length=1, max_length=1000, description="改进措施")
    responsible_person: str = Field("", max_length=40)


class ImprovementOut(Schema):
    id: int
    row_id: int
    year: int
    month: int
    task_id: int
    task_code: str


def _sheet_row(r: selectors.RowResult) -> dict[str, Any]:
    p = r.progress
    return {
        **{k: getattr(p, k) for k in TargetProgressOut.model_fields},
        "row_id": r.row.pk,
        "weight": r.row.weight,
        "class_name": r.class_name,
        "rank_in_class": r.rank_in_class,
        "trend": r.trend,
        "forecast": f"{r.forecast_method}：{r.forecast_display}" if r.forecast_display else "",
        "province_rank": r.province_rank,
        "improvement_task_id": r.improvement.task_id if r.improvement else None,
        "improvement_status": r.improvement.status if r.improvement else "",
    }


@router.get(
    "/targets/sets", response=list[SetOut], url_name="targets_set_list", summary="年度目标表"
)
@paginate(Pagination)
def targets_set_list(request: AuthedHttpRequest, year: Year | None = None) -> Any:
    qs = selectors.visible_sets(request.user).select_related("issuer").order_by("-year", "pk")
    return qs.filter(year=year) if year is not None else qs


@router.get(
    "/targets/sets/{set_id}",
    response=list[SheetRowOut],
    url_name="targets_set_detail",
    summary="目标表的月度评价（完成率、序时进度、差距、亮灯、分类排队）",
)
@paginate(Pagination)
def targets_set_detail(request: AuthedHttpRequest, set_id: Id, period: str = "") -> Any:
    target_set = selectors.get_set(request.user, set_id)
    p = _period(period)
    return [_sheet_row(r) for r in selectors.sheet(request.user, target_set, p.year, p.last_month)]


@router.get(
    "/targets/progress",
    response=list[TargetProgressOut],
    url_name="targets_progress",
    summary="各单位目标完成进度（已下达的目标）",
)
@paginate(Pagination)
def targets_progress(
    request: AuthedHttpRequest,
    period: str = "",
    unit_id: Id | None = None,
    indicator: str = "",
) -> Any:
    p = _period(period)
    return selectors.progress_for_units(
        request.user,
        year=p.year,
        month=p.last_month,
        unit_ids=[unit_id] if unit_id is not None else None,
        indicator_codes=[indicator] if indicator else None,
    )


@router.get(
    "/targets/standings",
    response=list[TargetStandingOut],
    url_name="targets_standings",
    summary="分类排队：加权得分、类内位次及较上月变化",
)
def targets_standings(request: AuthedHttpRequest, period: str = "") -> Any:
    p = _period(period)
    return selectors.standings(request.user, year=p.year, month=p.last_month)


@router.get(
    "/targets/weak-links",
    response=list[SheetRowOut],
    url_name="targets_weak_links",
    summary="薄弱环节（落后序时进度超过阈值的目标）及整改任务进展",
)
@paginate(Pagination)
def targets_weak_links(request: AuthedHttpRequest, period: str = "") -> Any:
    p = _period(period)
    return [_sheet_row(r) for r in selectors.weak_links(request.user, p.year, p.last_month)]


@router.post(
    "/targets/rows/{row_id}/improvement",
    response={201: ImprovementOut},
    url_name="targets_improve",
    summary="将薄弱环节转为整改督查任务（一次操作，直接交办）",
    openapi_extra=body_doc(ImprovementIn),
)
def targets_improve(request: AuthedHttpRequest, row_id: Id) -> Status[Any]:
    row = selectors.get_row(request.user, row_id)
    body = parse_body(request, ImprovementIn)
    p = parse_month(body.period, field="period")
    if p.year != row.target_set.year:
        raise DomainError("月份应在目标表的年度内。", field="period")
    owner = Organisation.objects.visible_to(request.user).filter(pk=body.owner_id).first()
    if owner is None:
        raise DomainError("整改牵头单位不存在或不在您的数据范围内。", field="owner_id")
    evaluated = selectors.evaluate_rows(request.user, [row], p.year, p.last_month)[0]
    if not evaluated.progress.weak:
        raise DomainError("该目标本月不是薄弱环节，无需转为整改任务。", field="row_id")
    link = services.create_improvement(
        actor=request.user,
        row=row,
        year=p.year,
        month=p.last_month,
        owner=owner,
        deadline=body.deadline,
        measure=body.measure,
        responsible_person=body.responsible_person,
        gap_display=evaluated.progress.gap_display,
    )
    return Status(
        201,
        {
            "id": link.pk,
            "row_id": row.pk,
            "year": link.year,
            "month": link.month,
            "task_id": link.task_id,
            "task_code": link.task.code,
        },
    )
