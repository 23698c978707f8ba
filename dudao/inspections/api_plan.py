"""/api/v1 endpoints for planning a tour and casting rank-vote ballots: the same services,
scope, audit, versions and permissions as the pages (a whole tour can be planned, scored and
published through the API alone; docs/inspections.md has an example).

Things are named as a city's own list names them: counties by 单位编码, projects by project
code, judges by username, groups and ranking groups by name. Out of scope is 404, identical to
missing; a stale `version` is 409 with the current values.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from dudao.core.apibody import body_doc, parse_body
from dudao.core.bounds import Id
from dudao.core.http import AuthedHttpRequest
from dudao.inspections import ballots, refs, selectors, services
from dudao.inspections.models import Judge, Site, Tour

router = Router(tags=["观摩督导"])

Text20 = Field(min_length=1, max_length=20)


class TourPlanIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=80)
    period: str = Field(min_length=1, max_length=30)
    start_date: dt.date
    end_date: dt.date
    level: Tour.Level = Tour.Level.CITY
    method: Tour.Method = Tour.Method.TRIMMED_MEAN
    unit_groups: list[str] = Field(default=["县(市)组", "城区组"], min_length=1, max_length=10)
    trim_k: int | None = Field(default=None, ge=0, le=5)
    min_judges_for_trim: int | None = Field(default=None, ge=3, le=99)
    vote_top_points: Decimal | None = Field(default=None, ge=0, le=1000, decimal_places=1)
    vote_step: Decimal | None = Field(default=None, ge=0, le=100, decimal_places=1)
    county_weight: Decimal | None = Field(default=None, ge=0, le=1, decimal_places=3)
    finding_threshold: Decimal | None = Field(default=None, ge=0, le=1, decimal_places=3)
    min_investment: Decimal | None = Field(default=None, ge=0, le=10**11, decimal_places=2)
    required_levels: str | None = Field(default=None, max_length=40)


class TourPlanPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int
    name: str | None = Field(default=None, min_length=1, max_length=80)
    period: str | None = Field(default=None, min_length=1, max_length=30)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    level: Tour.Level | None = None
    method: Tour.Method | None = None
    trim_k: int | None = Field(default=None, ge=0, le=5)
    min_judges_for_trim: int | None = Field(default=None, ge=3, le=99)
    vote_top_points: Decimal | None = Field(default=None, ge=0, le=1000, decimal_places=1)
    vote_step: Decimal | None = Field(default=None, ge=0, le=100, decimal_places=1)
    county_weight: Decimal | None = Field(default=None, ge=0, le=1, decimal_places=3)
    finding_threshold: Decimal | None = Field(default=None, ge=0, le=1, decimal_places=3)
    min_investment: Decimal | None = Field(default=None, ge=0, le=10**11, decimal_places=2)
    required_levels: str | None = Field(default=None, max_length=40)


class TourCancelIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int | None = None
    reason: str = Field(max_length=200)


class TourActionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    action: str = Field(pattern="^(open|close|reopen)$")


class TourPublishIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int | None = None
    reason: str = Field(default="", max_length=200)


class PlanGroupIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Text20
    leader_name: str = Text20
    leader_title: str = Field(min_length=1, max_length=30)
    members: str = Field(default="", max_length=2000)


class PlanUnitIn(Schema):
    model_config = ConfigDict(extra="forbid")

    county: str = Field(min_length=1, max_length=40, description="单位编码")
    unit_group: str = Field(min_length=1, max_length=20, description="排名分组名称")
    visit_group: str | None = Field(default=None, max_length=20, description="观摩组名称")
    visit_order: int = Field(default=1, ge=1, le=99)


class PlanSiteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    project_code: str | None = Field(default=None, max_length=40, description="项目代码")
    county: str | None = Field(
        default=None, max_length=40, description="不填项目时：县级汇报单位的单位编码"
    )
    visit_date: dt.date
    slot_start: dt.time
    slot_end: dt.time
    order: int | None = Field(default=None, ge=1, le=99)
    presenter_name: str = Field(default="", max_length=20)
    presenter_title: str = Field(default="", max_length=40)


class PlanJudgeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=150)
    group: str | None = Field(default=None, max_length=20, description="观摩组名称")
    conflict: str | None = Field(
        default=None, max_length=40, description="另行回避的县（单位编码），仅限市直评委"
    )


class BallotIn(Schema):
    model_config = ConfigDict(extra="forbid")

    ranks: dict[Id, int] = Field(description="参评单位 id → 名次（1 起）")


class PlanGroupOut(Schema):
    id: int
    name: str
    leader_name: str
    leader_title: str
    members: str


class PlanUnitOut(Schema):
    id: int
    county: str
    county_code: str
    unit_group: str
    visit_group: str | None
    visit_order: int


class PlanSiteOut(Schema):
    id: int
    kind: str
    title: str
    project_code: str | None
    county: str
    visit_date: dt.date
    slot_start: str = Field(description="开始时间（时:分）")
    slot_end: str = Field(description="结束时间（时:分）")
    order: int
    presenter_name: str
    presenter_title: str
    warnings: list[str]


class PlanJudgeOut(Schema):
    id: int
    name: str
    username: str | None
    group: str | None
    conflict: str | None


class TourPlanOut(Schema):
    id: int
    name: str
    period: str
    level: str
    start_date: dt.date
    end_date: dt.date
    method: str
    status: str
    status_label: str
    version: int
    cancel_reason: str
    publish_note: str
    unit_groups: list[str]
    groups: list[PlanGroupOut]
    units: list[PlanUnitOut]
    sites: list[PlanSiteOut]
    judges: list[PlanJudgeOut]


class SheetCriterionOut(Schema):
    id: int
    name: str
    max_points: Decimal
    guidance: str
    points: Decimal | None


class SiteSheetOut(Schema):
    site_id: int
    title: str
    county: str
    conflict: bool
    status: str
    criteria: list[SheetCriterionOut]


class BallotGroupOut(Schema):
    unit_group: str
    skipped: bool
    note: str
    units: list[dict[str, Any]]


def _site_out(site: Site) -> PlanSiteOut:
    return PlanSiteOut(
        id=site.pk,
        kind=site.kind,
        title=site.title,
        project_code=site.project.code if site.project_id and site.project else None,
        county=site.county.display_name,
        visit_date=site.visit_date,
        slot_start=site.slot_start.strftime("%H:%M"),
        slot_end=site.slot_end.strftime("%H:%M"),
        order=site.order,
        presenter_name=site.presenter_name,
        presenter_title=site.presenter_title,
        warnings=list(site.warnings or []),
    )


def _judge_out(judge: Judge) -> PlanJudgeOut:
    return PlanJudgeOut(
        id=judge.pk,
        name=judge.display_name,
        username=judge.user.username if judge.user else None,
        group=judge.group.name if judge.group else None,
        conflict=judge.county.display_name if judge.county else None,
    )


def _plan_out(tour: Tour) -> TourPlanOut:
    tour = Tour.objects.select_related("organiser").get(pk=tour.pk)
    plan = selectors.tour_plan(tour)
    return TourPlanOut(
        id=tour.pk,
        name=tour.name,
        period=tour.period,
        level=tour.level,
        start_date=tour.start_date,
        end_date=tour.end_date,
        method=tour.method,
        status=tour.status,
        status_label=tour.get_status_display(),
        version=tour.version,
        cancel_reason=tour.cancel_reason,
        publish_note=tour.publish_note,
        unit_groups=list(tour.unit_groups.values_list("name", flat=True)),
        groups=[PlanGroupOut.model_validate(g, from_attributes=True) for g in plan["groups"]],
        units=[
            PlanUnitOut(
                id=u.pk,
                county=u.county.display_name,
                county_code=u.county.code,
                unit_group=u.unit_group.name,
                visit_group=u.visit_group.name if u.visit_group else None,
                visit_order=u.visit_order,
            )
            for u in plan["units"]
        ],
        sites=[_site_out(s) for s in plan["sites"]],
        judges=[_judge_out(j) for j in tour.judges.select_related("user", "group", "county")],
    )


def _tour(request: AuthedHttpRequest, tour_id: int) -> Tour:
    return selectors.get_tour(request.user, tour_id)


@router.post(
    "/inspections/tours",
    response={201: TourPlanOut},
    url_name="inspection_tour_create",
    summary="新建观摩活动（组织单位为本人单位）",
    openapi_extra=body_doc(TourPlanIn),
)
def inspection_tour_create(request: AuthedHttpRequest) -> Status[Any]:
    payload = parse_body(request, TourPlanIn)
    data = payload.dict(exclude_none=True)
    groups = data.pop("unit_groups")
    tour = services.create_tour(actor=request.user, unit_groups=groups, **data)
    return Status(201, _plan_out(tour))


@router.get(
    "/inspections/tours/{tour_id}",
    response=TourPlanOut,
    url_name="inspection_tour_detail",
    summary="观摩活动及其筹备：观摩组、参评单位、点位、评委",
)
def inspection_tour_detail(request: AuthedHttpRequest, tour_id: Id) -> TourPlanOut:
    return _plan_out(_tour(request, tour_id))


@router.patch(
    "/inspections/tours/{tour_id}",
    response=TourPlanOut,
    url_name="inspection_tour_update",
    summary="修改观摩活动（开始评分前；需带 version，过期返回 409）",
    openapi_extra=body_doc(TourPlanPatch),
)
def inspection_tour_update(request: AuthedHttpRequest, tour_id: Id) -> TourPlanOut:
    tour = _tour(request, tour_id)
    data = parse_body(request, TourPlanPatch).dict(exclude_unset=True)
    version = data.pop("version")
    data = {k: v for k, v in data.items() if v is not None}
    return _plan_out(services.update_tour(actor=request.user, tour=tour, version=version, **data))


@router.post(
    "/inspections/tours/{tour_id}/cancel",
    response=TourPlanOut,
    url_name="inspection_tour_cancel",
    summary="取消观摩活动（开始评分前，须填写原因）",
    openapi_extra=body_doc(TourCancelIn),
)
def inspection_tour_cancel(request: AuthedHttpRequest, tour_id: Id) -> TourPlanOut:
    tour = _tour(request, tour_id)
    payload = parse_body(request, TourCancelIn)
    return _plan_out(
        services.cancel_tour(
            actor=request.user, tour=tour, reason=payload.reason, version=payload.version
        )
    )


@router.post(
    "/inspections/tours/{tour_id}/transition",
    response=TourPlanOut,
    url_name="inspection_tour_transition",
    summary="开始评分（open）、结束评分（close）、重新开放评分（reopen）",
    openapi_extra=body_doc(TourActionIn),
)
def inspection_tour_transition(request: AuthedHttpRequest, tour_id: Id) -> TourPlanOut:
    tour = _tour(request, tour_id)
    payload = parse_body(request, TourActionIn)
    return _plan_out(services.transition_tour(actor=request.user, tour=tour, action=payload.action))


@router.post(
    "/inspections/tours/{tour_id}/publish",
    response=TourPlanOut,
    url_name="inspection_tour_publish",
    summary="发布观摩结果（评分表未收齐时返回 409 及缺少的评分表，填写 reason 后可发布）",
    openapi_extra=body_doc(TourPublishIn),
)
def inspection_tour_publish(request: AuthedHttpRequest, tour_id: Id) -> TourPlanOut:
    tour = _tour(request, tour_id)
    payload = parse_body(request, TourPublishIn)
    return _plan_out(
        services.publish_tour(
            actor=request.user, tour=tour, version=payload.version, reason=payload.reason
        )
    )


@router.post(
    "/inspections/tours/{tour_id}/groups",
    response={201: PlanGroupOut},
    url_name="inspection_group_create",
    summary="添加观摩组",
    openapi_extra=body_doc(PlanGroupIn),
)
def inspection_group_create(request: AuthedHttpRequest, tour_id: Id) -> Status[Any]:
    tour = _tour(request, tour_id)
    payload = parse_body(request, PlanGroupIn)
    return Status(201, services.add_group(actor=request.user, tour=tour, **payload.dict()))


@router.post(
    "/inspections/tours/{tour_id}/units",
    response={201: PlanUnitOut},
    url_name="inspection_unit_create",
    summary="添加参评单位（县按单位编码，排名分组、观摩组按名称）",
    openapi_extra=body_doc(PlanUnitIn),
)
def inspection_unit_create(request: AuthedHttpRequest, tour_id: Id) -> Status[Any]:
    tour = _tour(request, tour_id)
    payload = parse_body(request, PlanUnitIn)
    unit = services.add_unit(
        actor=request.user,
        tour=tour,
        county=refs.unit_org(tour, payload.county),
        unit_group=refs.unit_group(tour, payload.unit_group),
        visit_group=refs.group(tour, payload.visit_group) if payload.visit_group else None,
        visit_order=payload.visit_order,
    )
    return Status(
        201,
        PlanUnitOut(
            id=unit.pk,
            county=unit.county.display_name,
            county_code=unit.county.code,
            unit_group=unit.unit_group.name,
            visit_group=unit.visit_group.name if unit.visit_group else None,
            visit_order=unit.visit_order,
        ),
    )


@router.post(
    "/inspections/tours/{tour_id}/sites",
    response={201: PlanSiteOut},
    url_name="inspection_site_create",
    summary="添加观摩点位（项目按项目代码从项目库选取；不填项目则为县级汇报）",
    openapi_extra=body_doc(PlanSiteIn),
)
def inspection_site_create(request: AuthedHttpRequest, tour_id: Id) -> Status[Any]:
    tour = _tour(request, tour_id)
    payload = parse_body(request, PlanSiteIn)
    project = (
        refs.project(request.user, tour, payload.project_code) if payload.project_code else None
    )
    unit = refs.unit_of(tour, payload.county) if project is None and payload.county else None
    site = services.add_site(
        actor=request.user,
        tour=tour,
        project=project,
        unit=unit,
        visit_date=payload.visit_date,
        slot_start=payload.slot_start,
        slot_end=payload.slot_end,
        order=payload.order,
        presenter_name=payload.presenter_name,
        presenter_title=payload.presenter_title,
    )
    return Status(201, _site_out(Site.objects.select_related("project", "county").get(pk=site.pk)))


@router.delete(
    "/inspections/sites/{site_id}",
    response={204: None},
    url_name="inspection_site_delete",
    summary="删除观摩点位（筹备中）",
)
def inspection_site_delete(request: AuthedHttpRequest, site_id: Id) -> Status[Any]:
    site = selectors.get_site(request.user, site_id)
    services.remove_site(actor=request.user, site=site)
    return Status(204, None)


@router.post(
    "/inspections/tours/{tour_id}/judges",
    response={201: PlanJudgeOut},
    url_name="inspection_judge_create",
    summary="添加评委（按用户名；本人所在县自动回避，市直评委可另行指定回避县）",
    openapi_extra=body_doc(PlanJudgeIn),
)
def inspection_judge_create(request: AuthedHttpRequest, tour_id: Id) -> Status[Any]:
    tour = _tour(request, tour_id)
    payload = parse_body(request, PlanJudgeIn)
    judge = services.add_judge(
        actor=request.user,
        tour=tour,
        user=refs.judge_user(tour, payload.username),
        group=refs.group(tour, payload.group) if payload.group else None,
        conflict=refs.unit_org(tour, payload.conflict) if payload.conflict else None,
    )
    return Status(201, _judge_out(judge))


@router.delete(
    "/inspections/tours/{tour_id}/judges/{judge_id}",
    response={204: None},
    url_name="inspection_judge_delete",
    summary="移除评委（筹备中）",
)
def inspection_judge_delete(request: AuthedHttpRequest, tour_id: Id, judge_id: Id) -> Status[Any]:
    tour = _tour(request, tour_id)
    judge = refs.seat(tour, judge_id)
    services.remove_judge(actor=request.user, judge=judge)
    return Status(204, None)


@router.get(
    "/inspections/sites/{site_id}/sheet",
    response=SiteSheetOut,
    url_name="inspection_site_sheet",
    summary="评委本人在一个点位的评分表：评分项（id、满分、评分要点）和已保存的分数",
)
def inspection_site_sheet(request: AuthedHttpRequest, site_id: Id) -> SiteSheetOut:
    site, judge = selectors.site_for_judge(request.user, site_id)
    state = selectors.card_state(judge, site)
    card = state["card"]
    return SiteSheetOut(
        site_id=site.pk,
        title=site.title,
        county=site.county.display_name,
        conflict=judge.county_id == site.county_id,
        status=card.status if card else "none",
        criteria=[
            SheetCriterionOut(
                id=row["c"].pk,
                name=row["c"].name,
                max_points=row["c"].max_points,
                guidance=row["c"].guidance,
                points=row["points"],
            )
            for row in state["criteria"]
        ],
    )


@router.get(
    "/inspections/tours/{tour_id}/ballot",
    response=list[BallotGroupOut],
    url_name="inspection_ballot",
    summary="评委本人的排名投票：各排名分组要排名的单位（无可比较选择的分组注明不投票）",
)
def inspection_ballot(request: AuthedHttpRequest, tour_id: Id) -> list[BallotGroupOut]:
    tour = _tour(request, tour_id)
    seat = selectors.judge_seat(request.user, tour)
    if seat is None or tour.method != Tour.Method.RANK_VOTE:
        raise Http404
    mine = dict(seat.votes.values_list("unit_id", "rank"))
    return [
        BallotGroupOut(
            unit_group=b.group.name,
            skipped=b.skipped,
            note=b.note,
            units=[
                {"id": u.pk, "county": u.county.display_name, "rank": mine.get(u.pk)}
                for u in b.units
            ],
        )
        for b in ballots.ballots(
            tour.unit_groups.all(), tour.units.select_related("county"), seat.county_id
        )
    ]


@router.post(
    "/inspections/tours/{tour_id}/ballot",
    response=list[BallotGroupOut],
    url_name="inspection_ballot_cast",
    summary="提交一个排名分组的选票（名次 1 至 n，各用一次；新选票替换旧选票）",
    openapi_extra=body_doc(BallotIn),
)
def inspection_ballot_cast(request: AuthedHttpRequest, tour_id: Id) -> list[BallotGroupOut]:
    tour = _tour(request, tour_id)
    payload = parse_body(request, BallotIn)
    services.cast_votes(actor=request.user, tour=tour, ranks=dict(payload.ranks))
    return inspection_ballot(request, tour_id)
