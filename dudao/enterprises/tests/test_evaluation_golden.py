"""The yearly run on a fixed small data set gives exactly the recorded results, rollups and
audit: every column of every result, the run's yardstick and counts, the statistics figures and
the audit events (golden file `golden_evaluation.json`, recorded before the run's writing was
reworked for speed). Also the exact number of queries of a run.

Regenerate the golden file only when a rule deliberately changes:
``DUDAO_UPDATE_GOLDEN=1 .venv/bin/pytest dudao/enterprises/tests/test_evaluation_golden.py``."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path
from random import Random
from typing import Any

import pytest

from dudao.audit.models import AuditEvent
from dudao.enterprises import demo, services
from dudao.enterprises.models import AnnualValue, Enterprise, EvaluationResult, EvaluationRun
from dudao.enterprises.tests.helpers import park
from dudao.parks.models import Park
from dudao.stats.models import IndicatorValue
from dudao.testing import World

pytestmark = pytest.mark.django_db
GOLDEN = Path(__file__).with_name("golden_evaluation.json")
YEAR = 2025
D = Decimal


def build(world: World) -> list[Enterprise]:
    """60 demo enterprises in two parks of two counties with two years of figures, under a
    regime with fixed, city and park benchmarks, caps, both missing-value rules and 加减分
    caps; plus a tie, a firm without figures, a firm with registry land only, a deregistered
    firm, not-graded firms and adjustments."""
    sites = [park(world, "P-A"), park(world, "P-B")]
    parks = [(p.pk, p.organisation_id or 0, p.short_name or p.name) for p in sites]
    demo.generate(Random(11), parks, 60, (YEAR - 1, YEAR), missing=0.08)
    services.save_regime(
        actor=world.city_supervisor,
        year=YEAR,
        name="示范市2025年度亩均效益评价办法（金标准测试）",
        bonus_cap=D(5),
        penalty_cap=D(8),
        items=[
            {
                "scale": "above",
                "metric": "tax_per_mu",
                "weight": D(40),
                "benchmark": "fixed",
                "benchmark_value": D("24.097"),
                "cap": D(2),
            },
            {
                "scale": "above",
                "metric": "va_per_mu",
                "weight": D(30),
                "benchmark": "park_avg",
                "cap": D(3),
                "missing": "average",
            },
            {"scale": "above", "metric": "tax_per_power", "weight": D(30), "cap": D(3)},
            {"scale": "below", "metric": "tax_per_mu", "weight": D(60), "benchmark": "park_avg"},
            {
                "scale": "below",
                "metric": "tax_per_power",
                "weight": D(40),
                "missing": "average",
            },
        ],
    )
    firms = list(Enterprise.objects.order_by("uscc"))
    # A tie: the second firm of each scale copies the first one's figures and land.
    for scale in (True, False):
        first, second = [f for f in firms if f.above_scale == scale][:2]
        AnnualValue.objects.filter(enterprise=second, year=YEAR).delete()
        AnnualValue.objects.bulk_create(
            AnnualValue(enterprise=second, year=YEAR, item=v.item, value=v.value, source=v.source)
            for v in AnnualValue.objects.filter(enterprise=first, year=YEAR)
        )
        Enterprise.objects.filter(pk=second.pk).update(
            park=first.park, land_own_mu=first.land_own_mu, land_leased_mu=first.land_leased_mu
        )
    AnnualValue.objects.filter(enterprise=firms[5], year=YEAR).delete()  # no figures: 无数据
    AnnualValue.objects.filter(enterprise=firms[6], year=YEAR, item="land").delete()
    Enterprise.objects.filter(pk=firms[7].pk).update(status=Enterprise.Status.DEREGISTERED)
    Enterprise.objects.filter(pk__in=[firms[8].pk, firms[9].pk]).update(ungraded_class="startup")
    for firm, points in ((firms[10], "3"), (firms[10], "4"), (firms[11], "-9"), (firms[12], "2")):
        services.add_adjustment(
            actor=world.city_supervisor, enterprise=firm, year=YEAR, points=D(points), reason="测试"
        )
    return firms


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value


def _figure(v: IndicatorValue) -> list[Any]:
    unit, code = v.organisation.code, v.indicator.code
    return [unit, code, f"{v.period}", f"{v.value}", v.status, v.source, v.note, v.version]


def snapshot(run: EvaluationRun) -> dict[str, Any]:
    """Everything a run wrote, without database ids (parks and units by code, firms by USCC)."""
    park_codes = {str(pk): code for pk, code in Park.objects.values_list("pk", "code")}
    results = []
    for r in (
        EvaluationResult.objects.filter(run=run)
        .select_related("enterprise", "organisation", "park")
        .order_by("enterprise__uscc", "pk")
    ):
        results.append(
            {
                "uscc": r.enterprise.uscc,
                "organisation": r.organisation.code,
                "park": r.park.code if r.park else None,
                "scale": r.scale,
                "items": r.items,
                "item_score": _plain(r.item_score),
                "bonus": _plain(r.bonus),
                "penalty": _plain(r.penalty),
                "total": _plain(r.total),
                "rank": r.rank,
                "ranked_count": r.ranked_count,
                "percentile": _plain(r.percentile),
                "grade": r.grade,
                "graded": r.graded,
                "ungraded_class": r.ungraded_class,
                "is_current": r.is_current,
                "appeal": r.appeal_id is not None,
            }
        )
    benchmarks = {
        scale: {
            "city": b["city"],
            "parks": {park_codes[p]: v for p, v in sorted(b["parks"].items())},
        }
        for scale, b in sorted(run.benchmarks.items())
    }
    figures = [
        _figure(v)
        for v in IndicatorValue.objects.filter(indicator__code__startswith="ent_")
        .select_related("organisation", "indicator")
        .order_by("organisation__code", "indicator__code", "period")
    ]
    events = []
    for e in AuditEvent.objects.filter(
        action__in=(
            "enterprises.evaluation.run",
            "enterprises.evaluation.appeal_rerun",
            "stats.value.compute",
        )
    ).order_by("pk"):
        after = dict(e.after or {})
        after.pop("regime", None)
        before = e.before
        events.append([e.action, e.object_repr, before, after])
    return {
        "counts": run.counts,
        "benchmarks": benchmarks,
        "averages": run.averages,
        "results": results,
        "figures": figures,
        "events": events,
    }


def test_a_run_on_a_fixed_data_set_gives_the_recorded_results(world: World) -> None:
    firms = build(world)
    services.run_evaluation(actor=world.city_supervisor, year=YEAR)
    # A second run with one firm's figures changed: a new current run, figures rewritten.
    AnnualValue.objects.filter(enterprise=firms[20], year=YEAR, item="tax").update(
        value=D("9999.5")
    )
    run = services.run_evaluation(actor=world.city_supervisor, year=YEAR)
    result = EvaluationResult.objects.get(run=run, enterprise=firms[30], is_current=True)
    appeal = services.file_appeal(
        actor=world.city_supervisor, result=result, reason="税收漏报", corrections={"tax": "4321"}
    )
    services.decide_appeal(
        actor=world.city_supervisor,
        appeal=appeal,
        version=appeal.version,
        accept=True,
        decision="核实无误",
    )
    got = json.loads(json.dumps(snapshot(run), ensure_ascii=False, default=_plain))
    if os.environ.get("DUDAO_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert got["counts"] == want["counts"]
    assert got["benchmarks"] == want["benchmarks"]
    assert got["averages"] == want["averages"]
    assert len(got["results"]) == len(want["results"])
    for mine, theirs in zip(got["results"], want["results"], strict=True):
        assert mine == theirs
    assert got["figures"] == want["figures"]
    assert got["events"] == want["events"]


def test_a_run_asks_the_database_a_fixed_number_of_queries(
    world: World, django_assert_num_queries: Any
) -> None:
    """Reads, the run row, the results in one statement (COPY on PostgreSQL, which Django does
    not log; one executemany on SQLite), the rollups from the figures already in memory, the
    statistics figures and the audit events: the count does not grow with the number of
    enterprises (58 here)."""
    from django.db import connection

    build(world)
    with django_assert_num_queries(27 if connection.vendor == "postgresql" else 26):
        services.run_evaluation(actor=world.city_supervisor, year=YEAR)
    assert EvaluationResult.objects.count() == 58
