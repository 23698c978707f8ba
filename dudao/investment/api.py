"""/api/v1 endpoints of 招商引资. Function names become URL names (api:<name>).

Scope-filtered like the pages: a county sees its own deals; anything else is 404.
"""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from dudao.core.apibody import body_doc, parse_body
from dudao.core.bounds import Id, Year
from dudao.core.exceptions import DomainError
from dudao.core.http import AuthedHttpRequest
from dudao.core.pagination import Pagination
from dudao.investment import figures, selectors, services
from dudao.investment.models import Deal, DealCheck, DealEvent, DealFunding, EntryStandard
from dudao.orgs.models import Organisation
from dudao.projects.selectors import active_categories

router = Router(tags=["招商引资"])

# Bounded decimals: the fuzzer sends 1e300; the model columns hold 14 digits.
Amount = Field(default=None, ge=0, le=Decimal("999999999999.99"), max_digits=14, decimal_places=2)
Small = Field(default=None, ge=0, le=Decimal("9999.99"), max_digits=6, decimal_places=2)


class DealOut(Schema):
    id: int
    code: str
    name: str
    investor: str
    investor_origin: str
    is_fortune500: bool
    county_id: int
    responsible_org_id: int
    chain_id: int | None
    industry_code: str
    zone_level: str
    stage: str
    stage_label: str
    lead_on: dt.date
    signed_on: dt.date | None
    first_signed_on: dt.date | None
    registered_on: dt.date | None
    approved_on: dt.date | None
    started_on: dt.date | None
    producing_on: dt.date | None
    terminated_on: dt.date | None
    signing_kind: str
    agreement_type: str
    contract_investment: Decimal
    fixed_asset_investment: Decimal
    land_mu: Decimal | None
    screening: str
    project_id: int | None
    supervision_task_id: int | None
    version: int

    @staticmethod
    def resolve_stage_label(obj: Deal) -> str:
        return obj.stage_label()


class DealEventOut(Schema):
    action: str
    from_stage: str
    to_stage: str
    happened_on: dt.date
    evidence: str
    note: str
    created_at: dt.datetime


class CheckOut(Schema):
    point: str
    label: str
    value: Decimal | None
    passed: bool
    message: str
    checked_on: dt.date


class FundingOut(Schema):
    id: int
    month: dt.date
    amount: Decimal
    evidence: str
    note: str
    verified: bool
    version: int


class DealDetailOut(DealOut):
    timeline: list[DealEventOut]
    checks: list[CheckOut]
    fundings: list[FundingOut]


class DealIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    investor: str = Field(min_length=1, max_length=120)
    responsible_org_id: Id
    lead_on: dt.date | None = None
    investor_origin: Literal["province", "out_of_province", "foreign"] = "out_of_province"
    is_fortune500: bool = False
    leader: str = Field(default="", max_length=40)
    chain_id: Id | None = None
    industry_code: str = Field(default="", max_length=4)
    zone_level: Literal["national", "provincial", "other"] = "other"
    signing_kind: Literal["new", "upgrade", "capital_increase", "owner_change"] = "new"
    contract_investment: Decimal | None = Amount
    fixed_asset_investment: Decimal | None = Amount
    out_of_province_amount: Decimal | None = Amount
    foreign_amount: Decimal | None = Amount
    land_mu: Decimal | None = Field(default=None, gt=0, le=Decimal("9999999999.99"))
    expected_output: Decimal | None = Amount
    expected_tax: Decimal | None = Amount
    expected_roi: Decimal | None = Field(default=None, ge=-999, le=Decimal("9999.99"))
    plot_ratio: Decimal | None = Small
    building_coverage: Decimal | None = Field(default=None, ge=0, le=100)
    energy_intensity: Decimal | None = Field(default=None, ge=0, le=Decimal("999999.9999"))
    rd_intensity: Decimal | None = Field(default=None, ge=0, le=100)
    pollution_class: Literal["low", "medium", "high"] = "low"
    tech_level: Literal["high", "medium", "low"] = "medium"
    planned_production_on: dt.date | None = None


class DealPatch(Schema):
    version: int
    name: str | None = Field(default=None, min_length=1, max_length=120)
    investor: str | None = Field(default=None, min_length=1, max_length=120)
    leader: str | None = Field(default=None, max_length=40)
    industry_code: str | None = Field(default=None, max_length=4)
    contract_investment: Decimal | None = Amount
    fixed_asset_investment: Decimal | None = Amount
    land_mu: Decimal | None = Field(default=None, gt=0, le=Decimal("9999999999.99"))
    expected_output: Decimal | None = Amount
    expected_tax: Decimal | None = Amount
    plot_ratio: Decimal | None = Small
    building_coverage: Decimal | None = Field(default=None, ge=0, le=100)
    planned_production_on: dt.date | None = None


class DealTransitionIn(Schema):
    action: Literal["advance", "back", "terminate"]
    version: int
    on: dt.date | None = None
    evidence: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=2000)
    agreement_type: Literal["", "framework", "formal"] = ""
    signing_event_id: Id | None = None
    uscc: str = Field(default="", max_length=30)
    project_code: str = Field(default="", max_length=30)
    to_stage: str = Field(default="", max_length=20)
    reason: Literal["", "investor", "policy", "other"] = ""


class OverrideIn(Schema):
    version: int
    reason: str = Field(max_length=2000)


class PromoteIn(Schema):
    version: int
    category_id: Id
    level: Literal["province", "city", "county"]


class SendTaskIn(Schema):
    deadline: dt.date | None = None
    note: str = Field(default="", max_length=2000)


class FundsIn(Schema):
    month: str = Field(max_length=7, description="YYYY-MM")
    amount: Decimal = Field(ge=0, le=Decimal("999999999999.99"), max_digits=14, decimal_places=2)
    evidence: str = Field(max_length=200)
    note: str = Field(default="", max_length=200)


class FundsVerifyIn(Schema):
    version: int


class ColumnOut(Schema):
    stage: str
    label: str
    count: int
    amount_wan: Decimal


class RatioOut(Schema):
    key: str
    label: str
    variant: str
    numerator: Decimal
    denominator: Decimal
    display: str


class CountyFiguresOut(Schema):
    county_id: int
    name: str
    signed: int
    signed_amount: Decimal
    ratios: list[RatioOut]


class StandardOut(Schema):
    id: int
    jurisdiction_id: int | None
    zone_level: str
    industry_prefix: str
    metric: str
    operator: str
    threshold: Decimal
    unit: str
    valid_from: dt.date
    valid_to: dt.date | None
    source: str
    is_active: bool


def _detail(deal: Deal) -> Deal:
    deal.timeline = list(selectors.timeline(deal))  # type: ignore[attr-defined]
    deal.checks_out = list(selectors.checks(deal))  # type: ignore[attr-defined]
    deal.fundings_out = list(selectors.fundings(deal))  # type: ignore[attr-defined]
    return deal


class _DetailOut(DealDetailOut):
    @staticmethod
    def resolve_checks(obj: Any) -> list[DealCheck]:
        return list(obj.checks_out)

    @staticmethod
    def resolve_fundings(obj: Any) -> list[DealFunding]:
        return list(obj.fundings_out)

    @staticmethod
    def resolve_timeline(obj: Any) -> list[DealEvent]:
        return list(obj.timeline)


def _refs(request: AuthedHttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "responsible_org_id":
            org = Organisation.objects.visible_to(request.user).filter(pk=value).first()
            if org is None:
                raise Http404
            out["responsible_org"] = org
        elif key == "chain_id":
            out["chain"] = None if value is None else selectors.chain_for(request.user, value)
        elif value is not None or key in ("lead_on", "planned_production_on"):
            out[key] = value
    return out


@router.get("/deals", response=list[DealOut], url_name="deal_list", summary="招商项目（可筛选）")
@paginate(Pagination)
def deal_list(
    request: AuthedHttpRequest,
    county: Id | None = None,
    chain: Id | None = None,
    stage: str = "",
    band: Literal["", "1", "10", "50"] = "",
    q: str = "",
) -> Any:
    f = selectors.DealFilter.from_query(
        {"county": county, "chain": chain, "stage": stage, "band": band, "q": q}
    )
    return selectors.list_deals(request.user, f)


@router.post(
    "/deals", response={201: _DetailOut}, url_name="deal_list", summary="登记招商项目（线索）"
)
def deal_create(request: AuthedHttpRequest, payload: DealIn) -> Status[Any]:
    data = _refs(request, payload.dict())
    deal = services.create_deal(
        actor=request.user,
        name=data.pop("name"),
        investor=data.pop("investor"),
        responsible_org=data.pop("responsible_org"),
        lead_on=data.pop("lead_on"),
        **data,
    )
    return Status(201, _detail(selectors.get_deal(request.user, deal.pk)))


@router.get(
    "/deals/{deal_id}",
    response=_DetailOut,
    url_name="deal_detail",
    summary="招商项目详情（含办理记录、准入核查、到位资金）",
)
def deal_detail(request: AuthedHttpRequest, deal_id: Id) -> Deal:
    return _detail(selectors.get_deal(request.user, deal_id))


@router.patch(
    "/deals/{deal_id}",
    response=_DetailOut,
    url_name="deal_detail",
    summary="修改招商项目（版本不符返回 409）",
    openapi_extra=body_doc(DealPatch),
)
def deal_update(request: AuthedHttpRequest, deal_id: Id) -> Deal:
    deal = selectors.get_deal(request.user, deal_id)
    payload = parse_body(request, DealPatch)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    data = {k: v for k, v in data.items() if v is not None or k == "planned_production_on"}
    services.update_deal(actor=request.user, deal=deal, version=version, **data)
    return _detail(selectors.get_deal(request.user, deal_id))


@router.post(
    "/deals/{deal_id}/transitions",
    response=_DetailOut,
    url_name="deal_transition",
    summary="阶段办理：advance 推进到下一阶段 / back 退回（须说明原因）/ terminate 终止",
    openapi_extra=body_doc(DealTransitionIn),
)
def deal_transition(request: AuthedHttpRequest, deal_id: Id) -> Deal:
    deal = selectors.get_deal(request.user, deal_id)
    p = parse_body(request, DealTransitionIn)
    if p.action == "advance":
        event = None
        if p.signing_event_id is not None:
            event = selectors.signing_events_for(request.user).filter(pk=p.signing_event_id).first()
            if event is None:
                raise DomainError("签约活动不存在。", field="signing_event_id")
        services.advance(
            actor=request.user,
            deal=deal,
            version=p.version,
            on=p.on or timezone.localdate(),
            evidence=p.evidence,
            note=p.note,
            agreement_type=p.agreement_type,
            signing_event=event,
            uscc=p.uscc,
            project_code=p.project_code,
        )
    elif p.action == "back":
        services.move_back(
            actor=request.user, deal=deal, version=p.version, to_stage=p.to_stage, reason=p.note
        )
    else:
        services.terminate(
            actor=request.user, deal=deal, version=p.version, reason=p.reason, note=p.note, on=p.on
        )
    return _detail(selectors.get_deal(request.user, deal_id))


@router.post(
    "/deals/{deal_id}/override",
    response=_DetailOut,
    url_name="deal_override",
    summary="特批未通过准入核查的项目（督查员，须填写理由）",
    openapi_extra=body_doc(OverrideIn),
)
def deal_override(request: AuthedHttpRequest, deal_id: Id) -> Deal:
    deal = selectors.get_deal(request.user, deal_id)
    p = parse_body(request, OverrideIn)
    services.override_screening(actor=request.user, deal=deal, version=p.version, reason=p.reason)
    return _detail(selectors.get_deal(request.user, deal_id))


@router.post(
    "/deals/{deal_id}/promote",
    response=_DetailOut,
    url_name="deal_promote",
    summary="转入重大项目库（供地/立项或开工阶段；重复调用返回同一项目）",
    openapi_extra=body_doc(PromoteIn),
)
def deal_promote(request: AuthedHttpRequest, deal_id: Id) -> Deal:
    deal = selectors.get_deal(request.user, deal_id)
    p = parse_body(request, PromoteIn)
    category = active_categories().filter(pk=p.category_id).first()
    if category is None:
        raise DomainError("项目类别不存在。", field="category_id")
    services.promote(
        actor=request.user, deal=deal, version=p.version, category=category, level=p.level
    )
    return _detail(selectors.get_deal(request.user, deal_id))


@router.post(
    "/deals/{deal_id}/funds",
    response={201: FundingOut},
    url_name="deal_funds",
    summary="报送某月到位资金（万元）",
    openapi_extra=body_doc(FundsIn),
)
def deal_funds(request: AuthedHttpRequest, deal_id: Id) -> Status[Any]:
    from dudao.core.periods import parse_month

    deal = selectors.get_deal(request.user, deal_id)
    p = parse_body(request, FundsIn)
    period = parse_month(p.month, field="month")
    row = services.report_funds(
        actor=request.user,
        deal=deal,
        month=dt.date(period.year, period.first_month, 1),
        amount=p.amount,
        evidence=p.evidence,
        note=p.note,
    )
    return Status(201, row)


@router.post(
    "/deal-funds/{funding_id}/verify",
    response=FundingOut,
    url_name="deal_funds_verify",
    summary="核实到位资金（报送单位以外的审核员、督查员）",
    openapi_extra=body_doc(FundsVerifyIn),
)
def deal_funds_verify(request: AuthedHttpRequest, funding_id: Id) -> DealFunding:
    row = selectors.funding_in_scope(request.user, funding_id)
    p = parse_body(request, FundsVerifyIn)
    return services.verify_funds(actor=request.user, funding=row, version=p.version)


@router.post(
    "/deals/{deal_id}/send-task",
    response=_DetailOut,
    url_name="deal_send_task",
    summary="推进停滞的项目移交督查督办并交办（督查员；重复调用返回同一任务）",
    openapi_extra=body_doc(SendTaskIn),
)
def deal_send_task(request: AuthedHttpRequest, deal_id: Id) -> Deal:
    deal = selectors.get_deal(request.user, deal_id)
    p = parse_body(request, SendTaskIn)
    services.send_to_supervision(actor=request.user, deal=deal, deadline=p.deadline, note=p.note)
    return _detail(selectors.get_deal(request.user, deal_id))


@router.get(
    "/deal-board",
    response=list[ColumnOut],
    url_name="deal_board",
    summary="招商项目看板：各阶段项目数和合同投资额（万元）",
)
def deal_board(
    request: AuthedHttpRequest,
    county: Id | None = None,
    chain: Id | None = None,
    band: Literal["", "1", "10", "50"] = "",
) -> Any:
    f = selectors.DealFilter.from_query({"county": county, "chain": chain, "band": band})
    return selectors.pipeline_board(request.user, f)


@router.get(
    "/deal-figures",
    response=list[CountyFiguresOut],
    url_name="deal_figures",
    summary="各县（市、区）履约率、开工率、投产率、资金到位率、产业契合度（含分子、分母、口径）",
)
def deal_figures(request: AuthedHttpRequest, year: Year) -> Any:
    counties = list(selectors.county_choices(request.user))
    return [
        {
            "county_id": r.county_id,
            "name": r.name,
            "signed": r.signed,
            "signed_amount": r.signed_amount,
            "ratios": [
                {
                    "key": key,
                    "label": ratio.label,
                    "variant": ratio.variant,
                    "numerator": ratio.numerator,
                    "denominator": ratio.denominator,
                    "display": ratio.display,
                }
                for key, ratio in r.ratios.items()
            ],
        }
        for r in figures.county_figures(request.user, year, counties)
    ]


@router.get(
    "/entry-standards",
    response=list[StandardOut],
    url_name="entry_standard_list",
    summary="准入门槛（指标、比较、门槛值、单位、有效期、依据）",
)
def entry_standard_list(request: AuthedHttpRequest) -> list[EntryStandard]:
    return list(selectors.entry_standards())


class PeriodOut(Schema):
    id: int
    number: int
    held_on: dt.date
    venue: str
    signing: int
    start: int
    production: int


@router.get(
    "/three-batch-periods",
    response=list[PeriodOut],
    url_name="three_batch_list",
    summary="三个一批期次及签约、开工、投产三个名单的项目数",
)
def three_batch_list(request: AuthedHttpRequest) -> Any:
    return list(selectors.periods_with_counts())
