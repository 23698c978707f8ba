"""/api/v1 endpoints of 观摩督导. The judges' phone page saves through `inspection_card_save`
(idempotency key + client sequence; the browser retries until it gets an answer)."""

import datetime as dt
from decimal import Decimal

from ninja import Schema
from ninja.errors import ValidationError

from dudao.core.apibody import body_doc, parse_body
from dudao.core.bounds import Id
from dudao.core.http import AuthedHttpRequest
from dudao.inspections import selectors, services
from dudao.inspections.api_plan import router as plan_router
from dudao.inspections.models import ScoreCard

# One router for the app (a path's methods must share it): planning and ballots are declared
# in api_plan, which owns it; the lists, results, progress and the judges' cards are here.
router = plan_router


class TourOut(Schema):
    id: int
    name: str
    period: str
    level: str
    start_date: dt.date
    end_date: dt.date
    method: str
    status: str
    site_count: int
    unit_count: int


class CardIn(Schema):
    scores: dict[str, str | None] = {}
    comment: str | None = None
    key: str = ""
    seq: int = 0


class CardOut(Schema):
    site_id: int
    status: str
    scores: dict[str, str]
    total: Decimal
    comment: str
    seq: int
    key: str


class ResultOut(Schema):
    unit_id: int
    county: str
    unit_group: str
    score: Decimal | None
    rank: int | None
    details: dict[str, object]


class ResultsOut(Schema):
    tour_id: int
    published: bool
    results: list[ResultOut]


class ProgressOut(Schema):
    submitted: int
    expected: int
    judges: list[dict[str, object]]


def _card_out(card: ScoreCard) -> CardOut:
    rows = list(card.scores.all())
    return CardOut(
        site_id=card.site_id,
        status=card.status,
        scores={str(s.criterion_id): str(s.points) for s in rows},
        total=sum((s.points for s in rows), Decimal(0)),
        comment=card.comment,
        seq=card.last_seq,
        key=card.last_key,
    )


@router.get(
    "/inspections/tours",
    response=list[TourOut],
    url_name="inspection_tour_list",
    summary="数据范围内的观摩活动",
)
def inspection_tour_list(request: AuthedHttpRequest) -> object:
    return list(selectors.list_tours(request.user)[:200])


@router.get(
    "/inspections/tours/{tour_id}/results",
    response=ResultsOut,
    url_name="inspection_tour_results",
    summary="观摩结果（发布前仅组织者和领导可见预览）",
)
def inspection_tour_results(request: AuthedHttpRequest, tour_id: Id) -> ResultsOut:
    tour = selectors.get_tour(request.user, tour_id)
    report = selectors.results(request.user, tour)
    rows = report.units if report is not None else []
    return ResultsOut(
        tour_id=tour.pk,
        published=bool(report and report.published),
        results=[
            ResultOut(
                unit_id=r.unit.pk,
                county=r.unit.county.display_name,
                unit_group=r.unit.unit_group.name,
                score=r.display,
                rank=r.rank,
                details=r.details,
            )
            for r in rows
        ],
    )


@router.get(
    "/inspections/tours/{tour_id}/progress",
    response=ProgressOut,
    url_name="inspection_tour_progress",
    summary="评委评分进度",
)
def inspection_tour_progress(request: AuthedHttpRequest, tour_id: Id) -> ProgressOut:
    tour = selectors.get_tour(request.user, tour_id)
    data = selectors.progress(tour)
    return ProgressOut(
        submitted=data["submitted"],
        expected=data["expected"],
        judges=[
            {"judge": row["judge"].display_name, "submitted": row["done"]} for row in data["rows"]
        ],
    )


@router.post(
    "/inspections/sites/{site_id}/card",
    response=CardOut,
    url_name="inspection_card_save",
    summary="保存评委对一个点位的评分（幂等）",
    openapi_extra=body_doc(CardIn),
)
def inspection_card_save(request: AuthedHttpRequest, site_id: Id) -> CardOut:
    site, _judge = selectors.site_for_judge(request.user, site_id)
    # The body is read after the scope check (out of scope is 404, never 422); the request key
    # is checked by the service, after it.
    if not request.body:  # the card is a required body: an empty request saves nothing
        raise ValidationError([{"type": "missing", "loc": ["body", "payload"]}])
    payload = parse_body(request, CardIn)
    card = services.save_card(
        actor=request.user,
        site=site,
        scores=payload.scores,
        comment=payload.comment,
        key=payload.key,
        seq=payload.seq,
    )
    return _card_out(card)


@router.post(
    "/inspections/sites/{site_id}/card/submit",
    response=CardOut,
    url_name="inspection_card_submit",
    summary="提交评分（关闭该点位的评分表）",
)
def inspection_card_submit(request: AuthedHttpRequest, site_id: Id) -> CardOut:
    site, _judge = selectors.site_for_judge(request.user, site_id)
    return _card_out(services.submit_card(actor=request.user, site=site))
