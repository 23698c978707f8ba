"""/api/v1 endpoints of 统计指标: the catalogue, values (read, save, review, CSV import) and the
city cluster summary. Function names become URL names (api:<name>): keep them unique."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from dudao.core.apibody import body_doc, parse_body
from dudao.core.bounds import Id
from dudao.core.exceptions import DomainError
from dudao.core.http import AuthedHttpRequest
from dudao.core.imports import ImportRejected
from dudao.core.pagination import Pagination
from dudao.core.periods import parse_month
from dudao.stats import selectors, services
from dudao.stats.importers import import_indicators
from dudao.stats.models import Indicator, IndicatorValue

router = Router(tags=["统计指标"])


class StatsIndicatorOut(Schema):
    code: str
    name: str
    unit: str
    kind: str
    decimals: int
    direction: int
    price_basis: str
    scope: str
    january_published: bool
    is_formula: bool
    in_summary: bool


class ValueOut(Schema):
    id: int
    org_code: str
    period: str
    indicator: str
    value: Decimal
    yoy: Decimal | None
    base: Decimal | None
    source: str
    note: str
    status: str
    status_label: str
    version: int

    @staticmethod
    def resolve_org_code(obj: IndicatorValue) -> str:
        return obj.organisation.code

    @staticmethod
    def resolve_period(obj: IndicatorValue) -> str:
        return f"{obj.period:%Y-%m}"

    @staticmethod
    def resolve_indicator(obj: IndicatorValue) -> str:
        return obj.indicator.code

    @staticmethod
    def resolve_yoy(obj: IndicatorValue) -> Decimal | None:
        return obj.yoy_percent

    @staticmethod
    def resolve_status_label(obj: IndicatorValue) -> str:
        return obj.get_status_display()


class ValueIn(Schema):
    org_code: str
    period: str
    indicator: str
    value: Decimal
    yoy: Decimal | None = None
    base: Decimal | None = None
    source: Literal["statistics", "drc", "self"] = "self"
    note: str = ""
    version: int | None = None


class ValueTransitionIn(Schema):
    action: Literal["submit", "approve", "return"]
    reason: str = ""
    version: int | None = None


@router.get(
    "/stats/indicators",
    response=list[StatsIndicatorOut],
    url_name="stats_indicator_list",
    summary="指标目录",
)
def stats_indicator_list(request: AuthedHttpRequest) -> Any:
    return Indicator.objects.filter(is_active=True).order_by("sort_order", "code")


@router.get(
    "/stats/values", response=list[ValueOut], url_name="stats_value_list", summary="指标数值"
)
@paginate(Pagination)
def stats_value_list(
    request: AuthedHttpRequest,
    org_code: str = "",
    period: str = "",
    indicator: str = "",
    status: str = "",
) -> Any:
    qs = IndicatorValue.objects.visible_to(request.user).select_related("organisation", "indicator")
    if org_code:
        qs = qs.filter(organisation__code=org_code)
    if period:
        qs = qs.filter(period=parse_month(period).first_day)
    if indicator:
        qs = qs.filter(indicator__code=indicator)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("organisation__code", "indicator__sort_order", "period")


@router.post(
    "/stats/values/save",
    response=ValueOut,
    url_name="stats_value_save",
    summary="填报或修改一个数值",
)
def stats_value_save(request: AuthedHttpRequest, payload: ValueIn) -> Any:
    # Scope first: a code outside the caller's scope is answered exactly like a missing one.
    org = selectors.business_units(request.user).filter(code=payload.org_code).first()
    if org is None:
        raise Http404("单位不存在或不在您的数据范围内。")
    indicator = Indicator.objects.filter(code=payload.indicator).first()
    if indicator is None:
        raise DomainError(f"指标代码“{payload.indicator}”不存在。", field="indicator")
    return services.save_value(
        actor=request.user,
        organisation=org,
        indicator=indicator,
        period=parse_month(payload.period).first_day,
        data=services.ValueInput(
            payload.value, payload.yoy, payload.base, payload.source, payload.note
        ),
        version=payload.version,
    )


@router.post(
    "/stats/values/{value_id}/transition",
    response=ValueOut,
    url_name="stats_value_transition",
    summary="报送、审核通过或退回一个数值",
    openapi_extra=body_doc(ValueTransitionIn),
)
def stats_value_transition(request: AuthedHttpRequest, value_id: Id) -> Any:
    """Body: {"action": "submit" | "approve" | "return", "reason": "…", "version": n}.
    The body is read after the scope check, so an object outside scope is 404 first."""
    row = get_object_or_404(
        IndicatorValue.objects.visible_to(request.user).select_related("organisation", "indicator"),
        pk=value_id,
    )
    payload = parse_body(request, ValueTransitionIn)
    actor = request.user
    if payload.action == "submit":
        return services.submit_value(actor=actor, row=row, version=payload.version)
    if payload.action == "approve":
        return services.approve_value(actor=actor, row=row, version=payload.version)
    return services.return_value(
        actor=actor, row=row, reason=payload.reason, version=payload.version
    )


@router.post(
    "/stats/values/import",
    url_name="stats_value_import",
    summary="导入长表 CSV（org_code,period,indicator,value,yoy,base）",
)
def stats_value_import(
    request: AuthedHttpRequest, dry_run: bool = False, confirm_reason: str = ""
) -> Any:
    """The request body is the CSV file itself (Content-Type: text/csv). Values that fail a
    magnitude check (e.g. 疑似以亿元填报) are warnings of a dry run and refused at commit
    unless ``confirm_reason`` says why they are right."""
    try:
        report = import_indicators(
            request.body,
            filename="api.csv",
            actor=request.user,
            dry_run=dry_run,
            confirm_reason=confirm_reason[:200],
        )
    except ImportRejected as exc:
        raise DomainError(
            f"导入未执行：发现 {len(exc.errors)} 处错误，未写入任何数据。",
            details=[e.as_dict() for e in exc.errors],
        ) from None
    return {"ok": True, **report.as_dict()}


@router.get("/stats/summary", url_name="stats_summary", summary="某市某月的产业集聚区综述")
def stats_summary(request: AuthedHttpRequest, city: str, period: str) -> Any:
    month = parse_month(period).first_day
    org = selectors.get_city(request.user, city)
    return selectors.city_summary(request.user, org, month).as_dict()


def _month(text: str) -> dt.date | None:
    return parse_month(text).first_day if text else None


@router.get("/parks/{park_id}/profile", url_name="parks_profile", summary="园区指标概况")
def parks_profile(request: AuthedHttpRequest, park_id: Id, period: str = "") -> Any:
    park = selectors.get_park(request.user, park_id)
    return selectors.park_profile(request.user, park, _month(period)).as_dict()
