"""The yearly run and appeals through the services: regimes as data, results that keep every
intermediate number, and an appeal re-run that changes one grade and nothing else."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dudao.audit.models import AuditEvent
from dudao.core.exceptions import DomainError, InvalidTransition, NotAllowed
from dudao.enterprises import services
from dudao.enterprises.models import Enterprise, EvaluationResult, EvaluationRun
from dudao.enterprises.tests.helpers import enterprise
from dudao.testing import World

pytestmark = pytest.mark.django_db
YEAR = 2025


def regime(world: World) -> None:
    services.save_regime(
        actor=world.city_supervisor,
        year=YEAR,
        name="示范市2025年度亩均效益评价办法（测试）",
        items=[
            {
                "scale": "above",
                "metric": "tax_per_mu",
                "weight": Decimal(30),
                "benchmark": "fixed",
                "benchmark_value": Decimal("24.097"),
            },
            {
                "scale": "above",
                "metric": "tax_per_power",
                "weight": Decimal(70),
                "benchmark": "city_avg",
                "missing": "zero",
            },
            {"scale": "below", "metric": "tax_per_mu", "weight": Decimal(100)},
        ],
    )


def figures(world: World, firm: Enterprise, tax: int, power: int | None) -> None:
    values = {"tax": (Decimal(tax), "税务部门")}
    if power is not None:
        values["power"] = (Decimal(power), "供电公司")
    services.save_annual_values(
        actor=world.city_supervisor,
        enterprise=firm,
        year=YEAR,
        values=values,
    )


def test_a_run_keeps_every_number_and_the_worked_example_reads_29_88(world: World) -> None:
    regime(world)
    worked = enterprise(world, 1, land_own_mu=Decimal(50))
    figures(world, worked, 1200, None)  # no power figure: missing, scored 0
    other = enterprise(world, 2)
    figures(world, other, 600, 100)
    enterprise(world, 3)  # no figure at all: not evaluated
    run = services.run_evaluation(actor=world.city_supervisor, year=YEAR)
    assert run.counts == {"enterprises": 3, "evaluated": 2, "no_data": 1, "graded": 2}
    result = EvaluationResult.objects.get(run=run, enterprise=worked)
    tax, power = result.items
    assert Decimal(tax["value"]) == Decimal(24)
    assert Decimal(tax["benchmark"]) == Decimal("24.097")
    assert tax["missing"] is False
    assert Decimal(tax["score"]).quantize(Decimal("0.01")) == Decimal("29.88")
    assert power["missing"] is True
    assert power["value"] is None
    assert Decimal(power["score"]) == 0
    assert result.total == Decimal("29.88")
    assert (result.rank, result.ranked_count, result.percentile) == (2, 2, Decimal(1))
    assert AuditEvent.objects.filter(action="enterprises.evaluation.run").count() == 1
    with pytest.raises(InvalidTransition, match="不能再修改"):
        regime(world)


def test_only_a_supervisor_runs_and_a_year_without_regime_is_refused(world: World) -> None:
    with pytest.raises(NotAllowed):
        services.run_evaluation(actor=world.county_a_reporter, year=YEAR)
    with pytest.raises(DomainError, match="尚未制定"):
        services.run_evaluation(actor=world.city_supervisor, year=YEAR)


def test_an_appeal_rerun_changes_one_grade_and_nothing_else(world: World) -> None:
    regime(world)
    firms = [enterprise(world, 10 + i) for i in range(20)]
    for i, firm in enumerate(firms):
        figures(world, firm, 100 + 50 * i, 200)
    run = services.run_evaluation(actor=world.city_supervisor, year=YEAR)
    before = {
        r.enterprise_id: (r.total, r.rank, r.grade)
        for r in EvaluationResult.objects.filter(run=run, is_current=True)
    }
    lowest = EvaluationResult.objects.get(run=run, enterprise=firms[0])
    assert lowest.grade == "D"
    appeal = services.file_appeal(
        actor=world.city_supervisor,
        result=lowest,
        reason="税务部门漏报了第四季度入库税款。",
        corrections={"tax": "1000"},
    )
    with pytest.raises(InvalidTransition, match="待处理"):
        services.file_appeal(
            actor=world.city_supervisor, result=lowest, reason="再次申诉", corrections={}
        )
    services.decide_appeal(
        actor=world.city_supervisor,
        appeal=appeal,
        version=appeal.version,
        accept=True,
        decision="经核实采纳，按更正后的税收重新评价。",
    )
    after = {
        r.enterprise_id: (r.total, r.rank, r.grade)
        for r in EvaluationResult.objects.filter(run=run, is_current=True)
    }
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {firms[0].pk}
    assert after[firms[0].pk][2] == "A"
    assert EvaluationResult.objects.filter(run=run, enterprise=firms[0]).count() == 2
    assert EvaluationRun.objects.get(pk=run.pk).benchmarks == run.benchmarks
    assert AuditEvent.objects.filter(action="enterprises.evaluation.appeal_rerun").count() == 1


def test_the_demo_generator_and_regime_evaluate_with_gaps_visible(world: World) -> None:
    from random import Random

    from dudao.enterprises import demo
    from dudao.enterprises.models import AnnualValue
    from dudao.enterprises.tests.helpers import park

    site = park(world)
    written = demo.generate(Random(1), [(site.pk, world.park_a.pk, "甲县")], 60, (2024, 2025))
    assert written < 60 * 2 * 9  # some figures are missing, none is stored as a stand-in zero
    assert not AnnualValue.objects.filter(value=0, item="tax").exists()
    demo.regime(2025)
    run = services.run_evaluation(actor=world.city_supervisor, year=2025)
    assert run.counts["evaluated"] == 60
    grades = set(EvaluationResult.objects.filter(run=run).values_list("grade", flat=True))
    assert grades == {"A", "B", "C", "D"}
