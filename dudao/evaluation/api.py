"""/api/v1 endpoints of 省级考评. Function names become URL names (api:<name>): keep them unique.

Every business user reads the evaluation data of every park (comparison data); only 督查员
computes. Figures are strings (Decimal), never floats.
"""

from typing import Any

from ninja import Router, Schema

from dudao.core.bounds import Id, Year
from dudao.core.http import AuthedHttpRequest
from dudao.evaluation import selectors, services
from dudao.evaluation.models import Regime, Result, TitleKind

router = Router(tags=["省级考评"])


class RegimeOut(Schema):
    id: int
    code: str
    name: str
    first_year: int
    last_year: int | None
    source_doc: str
    strong_size: int
    fast_size: int
    star_max: int


class EvaluationIndicatorOut(Schema):
    code: str
    name: str
    unit: str
    dimension: str
    method: str
    weight: str
    params: dict[str, Any]


class GateOut(Schema):
    code: str
    name: str
    effect: str


class RegimeDetailOut(RegimeOut):
    indicators: list[EvaluationIndicatorOut]
    gates: list[GateOut]
    years: list[int]


class RankingRowOut(Schema):
    result_id: int
    park_code: str
    park_name: str
    city: str
    our_city: bool
    score: str | None
    rank: int | None
    prev_rank: int | None
    rank_gain: int | None
    excluded: bool
    titles: list[str]
    star_awarded: int | None
    star_eligible: int | None


class RankingOut(Schema):
    regime: str
    year: int
    source: str | None
    rows: list[RankingRowOut]


class CityOut(Schema):
    city: str
    our_city: bool
    parks: int
    strong: int
    fast: int
    advanced: int
    excellent: int
    starred: int
    best_rank: int | None


class ComparisonOut(Schema):
    regime: str
    year: int
    min_stars: int
    cities: list[CityOut]


class ResultDetailOut(Schema):
    id: int
    regime: str
    year: int
    park_code: str
    park_name: str
    score: str | None
    rank: int | None
    items_total: str | None
    bonus: str | None
    deduction: str | None
    excluded: bool
    no_awards: bool
    veto_reasons: str
    star_eligible: int | None
    detail: dict[str, Any]


class ComputeOut(Schema):
    regime: str
    year: int
    parks: int


def _s(value: Any) -> str | None:
    return None if value is None else str(value)


@router.get(
    "/evaluation/regimes",
    response=list[RegimeOut],
    url_name="evaluation_regime_list",
    summary="考评体系",
)
def evaluation_regime_list(request: AuthedHttpRequest) -> Any:
    return list(selectors.list_regimes(request.user))


def _regime_detail(regime: Regime) -> dict[str, Any]:
    config = selectors.regime_config(regime)
    return {
        **{f: getattr(regime, f) for f in RegimeOut.model_fields},
        "indicators": [
            {
                "code": i.code,
                "name": i.name,
                "unit": i.unit,
                "dimension": i.dimension.name if i.dimension else "",
                "method": i.method,
                "weight": str(i.weight),
                "params": i.params,
            }
            for i in config["indicators"]
        ],
        "gates": [{"code": g.code, "name": g.name, "effect": g.effect} for g in config["gates"]],
        "years": [y["year"] for y in selectors.regime_years(regime) if y["result_set"]],
    }


@router.get(
    "/evaluation/regimes/{code}",
    response=RegimeDetailOut,
    url_name="evaluation_regime_detail",
    summary="考评体系的指标、计分方法和否决事项",
)
def evaluation_regime_detail(request: AuthedHttpRequest, code: str) -> Any:
    return _regime_detail(selectors.get_regime_by_code(request.user, code))


@router.get(
    "/evaluation/regimes/{code}/results/{year}",
    response=RankingOut,
    url_name="evaluation_ranking",
    summary="全省排名（某体系某年度）",
)
def evaluation_ranking(request: AuthedHttpRequest, code: str, year: Year) -> Any:
    regime = selectors.get_regime_by_code(request.user, code)
    year = selectors.year_or_404(year)
    rows = selectors.province_ranking(request.user, regime, year)
    return {
        "regime": regime.code,
        "year": year,
        "source": rows[0].result.result_set.source if rows else None,
        "rows": [
            {
                "result_id": r.result.pk,
                "park_code": r.park.code,
                "park_name": r.park.name,
                "city": r.city.label,
                "our_city": r.city.ours,
                "score": _s(r.result.score),
                "rank": r.result.rank,
                "prev_rank": r.result.prev_rank,
                "rank_gain": r.result.rank_gain,
                "excluded": r.result.excluded,
                "titles": [t.get_kind_display() for t in r.titles],
                "star_awarded": r.star.level if r.star else None,
                "star_eligible": r.result.star_eligible,
            }
            for r in rows
        ],
    }


@router.get(
    "/evaluation/regimes/{code}/comparison/{year}",
    response=ComparisonOut,
    url_name="evaluation_comparison",
    summary="各市对比：十强、十快、十先进、优秀、N星级及以上园区数",
)
def evaluation_comparison(
    request: AuthedHttpRequest, code: str, year: Year, min_stars: int = 2
) -> Any:
    regime = selectors.get_regime_by_code(request.user, code)
    year = selectors.year_or_404(year)
    rows = selectors.comparison(request.user, regime, year, min_stars=max(1, min_stars))
    return {
        "regime": regime.code,
        "year": year,
        "min_stars": max(1, min_stars),
        "cities": [
            {
                "city": r.label,
                "our_city": r.ours,
                "parks": r.parks,
                "strong": r.counts[TitleKind.STRONG],
                "fast": r.counts[TitleKind.FAST],
                "advanced": r.counts[TitleKind.ADVANCED],
                "excellent": r.counts[TitleKind.EXCELLENT],
                "starred": r.starred,
                "best_rank": r.best_rank,
            }
            for r in rows
        ],
    }


@router.get(
    "/evaluation/results/{result_id}",
    response=ResultDetailOut,
    url_name="evaluation_result_detail",
    summary="一个园区的考评结果及计算明细",
)
def evaluation_result_detail(request: AuthedHttpRequest, result_id: Id) -> Any:
    r: Result = selectors.get_result(request.user, result_id)
    return {
        "id": r.pk,
        "regime": r.regime.code,
        "year": r.year,
        "park_code": r.park.code,
        "park_name": r.park.name,
        "score": _s(r.score),
        "rank": r.rank,
        "items_total": _s(r.items_total),
        "bonus": _s(r.bonus),
        "deduction": _s(r.deduction),
        "excluded": r.excluded,
        "no_awards": r.no_awards,
        "veto_reasons": r.veto_reasons,
        "star_eligible": r.star_eligible,
        "detail": r.detail,
    }


@router.post(
    "/evaluation/regimes/{code}/results/{year}/compute",
    response=ComputeOut,
    url_name="evaluation_compute",
    summary="按原始数据计算某年度考评结果（督查员）",
)
def evaluation_compute(request: AuthedHttpRequest, code: str, year: Year) -> Any:
    regime = selectors.get_regime_by_code(request.user, code)
    result_set = services.compute_results(
        actor=request.user,
        regime=regime,
        year=selectors.year_or_404(year),
    )
    return {"regime": regime.code, "year": result_set.year, "parks": result_set.parks}
