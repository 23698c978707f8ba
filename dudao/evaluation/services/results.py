"""Results: compute a year's scores and ranks, store the province's published ranking, delete
a year's results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from dudao.audit.services import record_event
from dudao.core.exceptions import DomainError
from dudao.core.snapshot import jsonable
from dudao.evaluation import scoring
from dudao.evaluation.models import (
    Regime,
    Result,
    ResultSet,
    Title,
)
from dudao.evaluation.services.common import (
    Changes,
    _check_year,
    _clean_text,
    _require,
)
from dudao.evaluation.services.derive import (
    _derive,
    _inputs_by_park,
    _specs,
)

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.parks.models import Park


def _replace_result_set(
    *, actor: User, regime: Regime, year: int, source: str, source_doc: str, results: list[Result]
) -> ResultSet:
    ResultSet.objects.filter(regime=regime, year=year).delete()
    result_set = ResultSet.objects.create(
        regime=regime,
        year=year,
        source=source,
        source_doc=source_doc,
        parks=len(results),
        made_by=actor,
        made_at=timezone.now(),
    )
    for result in results:
        result.result_set = result_set
    Result.objects.bulk_create(results, batch_size=500)
    _derive(regime, year)
    return result_set


@transaction.atomic
def _compute_results(*, actor: User, regime: Regime, year: int) -> ResultSet:
    """The body of `compute_results`, for services of this app that compose it in their own
    transaction (a public service is durable and cannot be nested)."""
    _require(actor)
    regime = Regime.objects.select_for_update().get(pk=regime.pk)
    _check_year(regime, year)
    current = ResultSet.objects.filter(regime=regime, year=year).first()
    if current is not None and current.source == ResultSet.Source.IMPORTED:
        raise DomainError(
            f"{year}年已导入省级公布的结果，不能用计算结果覆盖。如确需重算，请先删除该年度结果。"
        )
    indicators, gates = _specs(regime)
    if not indicators:
        raise DomainError("本体系还没有考评指标，无法计算。")
    inputs = _inputs_by_park(regime, year)
    if not inputs:
        raise DomainError(f"{year}年还没有任何原始数据，无法计算。")
    scored = scoring.score_all(indicators, gates, inputs, decimals=regime.score_decimals)
    results = []
    for park_id, park in scored.items():
        total_line = (
            f"指标得分合计 {park.items_total} + 加分 {park.bonus} − 减分 {park.deduction} = "
            f"{park.total}"
        )
        results.append(
            Result(
                regime=regime,
                year=year,
                park_id=park_id,
                score=park.total,
                rank=park.rank,
                items_total=park.items_total,
                bonus=park.bonus,
                deduction=park.deduction,
                excluded=park.excluded,
                no_awards=park.no_awards,
                veto_reasons="；".join(park.reasons)[:500],
                detail={
                    "items": [item.as_dict() for item in park.items],
                    "inputs": jsonable(inputs[park_id]),
                    "total": total_line,
                    "decimals": regime.score_decimals,
                },
            )
        )
    result_set = _replace_result_set(
        actor=actor,
        regime=regime,
        year=year,
        source=ResultSet.Source.COMPUTED,
        source_doc="",
        results=results,
    )
    record_event(
        actor=actor,
        action="evaluation.compute",
        obj=result_set,
        after={"regime": regime.code, "year": year, "parks": len(results)},
        object_repr=str(result_set),
    )
    return result_set


@transaction.atomic(durable=True)
def compute_results(*, actor: User, regime: Regime, year: int) -> ResultSet:
    """Score every park with inputs for the year, rank them, derive 十强/十快 and star
    eligibility; replaces an earlier computed result set (never a published one)."""
    return _compute_results(actor=actor, regime=regime, year=year)


@dataclass(frozen=True)
class PublishedRow:
    park: Park
    score: Decimal | None
    rank: int | None


@transaction.atomic
def _publish_results(
    *, actor: User, regime: Regime, year: int, rows: Sequence[PublishedRow], source_doc: str = ""
) -> Changes:
    """The body of `publish_results`, for services of this app that compose it in their own
    transaction (a public service is durable and cannot be nested)."""
    _require(actor)
    regime = Regime.objects.select_for_update().get(pk=regime.pk)
    _check_year(regime, year)
    if not rows:
        raise DomainError("没有可导入的结果。")
    wanted = {r.park.pk: (r.score, r.rank) for r in rows}
    if len(wanted) != len(rows):
        raise DomainError("同一园区出现了多次。")
    current = ResultSet.objects.filter(regime=regime, year=year).first()
    if current is not None and current.source == ResultSet.Source.IMPORTED:
        have = {
            r.park_id: (r.score, r.rank)
            for r in Result.objects.filter(result_set=current).only("park_id", "score", "rank")
        }
        same = have.keys() == wanted.keys() and all(
            (have[k][0] is None if v[0] is None else have[k][0] == v[0]) and have[k][1] == v[1]
            for k, v in wanted.items()
        )
        if same and current.source_doc == source_doc:
            return Changes(unchanged=len(rows))
    results = [
        Result(
            regime=regime,
            year=year,
            park=r.park,
            score=r.score,
            rank=r.rank,
            excluded=r.rank is None,
            detail={"published": True, "source_doc": source_doc},
        )
        for r in rows
    ]
    result_set = _replace_result_set(
        actor=actor,
        regime=regime,
        year=year,
        source=ResultSet.Source.IMPORTED,
        source_doc=source_doc,
        results=results,
    )
    record_event(
        actor=actor,
        action="evaluation.publish",
        obj=result_set,
        before={"source": current.source, "parks": current.parks} if current else None,
        after={"regime": regime.code, "year": year, "parks": len(rows), "source_doc": source_doc},
        object_repr=str(result_set),
    )
    return Changes(created=len(rows)) if current is None else Changes(updated=len(rows))


@transaction.atomic(durable=True)
def publish_results(
    *, actor: User, regime: Regime, year: int, rows: Sequence[PublishedRow], source_doc: str = ""
) -> Changes:
    """Store the province's published ranking as the year's result set (replaces any other).

    The same list again changes nothing and records nothing.
    """
    return _publish_results(actor=actor, regime=regime, year=year, rows=rows, source_doc=source_doc)


@transaction.atomic(durable=True)
def delete_result_set(*, actor: User, result_set: ResultSet, reason: str) -> None:
    """Remove a year's results and their computed titles (imported titles and stars stay)."""
    _require(actor)
    reason = _clean_text(reason)
    if not reason:
        raise DomainError("请填写删除原因。", field="reason")
    regime, year = result_set.regime, result_set.year
    record_event(
        actor=actor,
        action="evaluation.result_set_delete",
        obj=result_set,
        before={"regime": regime.code, "year": year, "source": result_set.source},
        reason=reason,
        object_repr=str(result_set),
    )
    Title.objects.filter(regime=regime, year=year, source=Title.Source.COMPUTED).delete()
    result_set.delete()
    _derive(regime, year + 1, cascade=False)
