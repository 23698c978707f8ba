"""Park and county rollups of the evaluation written into the statistics engine as annual
indicators: written on a run, re-written on an appeal re-run, read with the change against
last year, and never moved once a reviewer has approved (locked) them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from dudao.audit.models import AuditEvent
from dudao.enterprises import services
from dudao.enterprises.models import Enterprise, EvaluationResult
from dudao.enterprises.tests.helpers import enterprise, park
from dudao.stats import selectors as stats_selectors
from dudao.stats import services as stats_services
from dudao.stats.models import IndicatorValue
from dudao.testing import World

pytestmark = pytest.mark.django_db
D = Decimal


def regime(world: World, year: int) -> None:
    services.save_regime(
        actor=world.city_supervisor,
        year=year,
        name=f"示范市{year}年度亩均效益评价办法（测试）",
        items=[
            {"scale": "above", "metric": "tax_per_mu", "weight": D(100)},
            {"scale": "below", "metric": "tax_per_mu", "weight": D(100)},
        ],
    )


def taxes(world: World, firm: Enterprise, year: int, tax: int) -> None:
    services.save_annual_values(
        actor=world.city_supervisor,
        enterprise=firm,
        year=year,
        values={"tax": (D(tax), "税务部门")},
    )


def stored(org_id: int, code: str, year: int) -> IndicatorValue:
    return IndicatorValue.objects.get(
        organisation_id=org_id, indicator__code=code, period=dt.date(year, 12, 1)
    )


def build(world: World) -> list[Enterprise]:
    """2024: three firms (亩均税收 600 ÷ 150 = 4.00; ranks 1/3, 2/3 → B, 3/3 → D);
    2025: four firms (1000 ÷ 200 = 5.00; one firm in each of A, B, C, D)."""
    firms = [enterprise(world, 500 + i, land_own_mu=D(50)) for i in range(4)]
    regime(world, 2024)
    regime(world, 2025)
    for i, firm in enumerate(firms):
        if i < 3:
            taxes(world, firm, 2024, 100 * (i + 1))
        taxes(world, firm, 2025, 100 * (i + 1))
    services.run_evaluation(actor=world.city_supervisor, year=2024)
    services.run_evaluation(actor=world.city_supervisor, year=2025)
    return firms


def approve(world: World, org_id: int, year: int) -> None:
    org = type(world.park_a).objects.get(pk=org_id)
    stats_services.transition_unit_period(
        actor=world.city_supervisor, organisation=org, period=dt.date(year, 12, 1), action="approve"
    )


def test_a_run_writes_park_and_county_rollups_and_stats_gives_the_change(world: World) -> None:
    build(world)
    for unit in (world.park_a, world.county_a):
        row = stored(unit.pk, "ent_tax_per_mu", 2025)
        assert (row.value, row.status, row.source) == (D("5.0000"), "submitted", "evaluation")
        assert stored(unit.pk, "ent_evaluated", 2025).value == 4
        assert stored(unit.pk, "ent_grade_a_share", 2025).value == D(25)
        assert stored(unit.pk, "ent_grade_b_share", 2024).value == D("66.6666")  # cut, not rounded
        assert stored(unit.pk, "ent_grade_d_share", 2024).value == D("33.3333")
    assert not IndicatorValue.objects.filter(organisation=world.county_b).exists()
    # Only approved figures are read (as every stats figure): nothing before the review.
    assert stats_selectors.annual_figures(world.city_supervisor, 2025) == []
    for year in (2024, 2025):
        approve(world, world.park_a.pk, year)
    figures = {
        f.code: f
        for f in stats_selectors.annual_figures(
            world.city_supervisor, 2025, org_ids=[world.park_a.pk]
        )
    }
    assert figures["ent_tax_per_mu"].display == "5.00万元/亩"
    assert figures["ent_tax_per_mu"].change.text == "较上年增长25.0%"
    assert figures["ent_grade_a_share"].display == "25.0%"
    assert figures["ent_grade_a_share"].change.text == "较上年提高25.0个百分点"
    # 个百分点 from the displayed shares: 25.0 − 66.7 = −41.7
    assert figures["ent_grade_b_share"].change.points == D("-41.7")
    assert figures["ent_grade_b_share"].change.text == "较上年下降41.7个百分点"
    assert figures["ent_grade_d_share"].change.text == "较上年下降8.3个百分点"  # 25.0 − 33.3
    assert figures["ent_evaluated"].change.text == "较上年增长33.3%"
    # Out of scope: another county's reporter reads nothing of 甲县.
    assert stats_selectors.annual_figures(world.county_b_reporter, 2025) == []
    # The park's profile page shows them from the same selector.
    client = Client()
    client.force_login(world.city_supervisor)
    page = client.get(reverse("parks:detail", args=[park(world).pk])).content.decode()
    assert "年度指标（2025年）" in page
    assert "较上年提高25.0个百分点" in page
    assert "5.00万元/亩" in page


def test_an_appeal_rerun_rewrites_open_rollups_and_leaves_locked_ones(world: World) -> None:
    firms = build(world)
    approve(world, world.park_a.pk, 2025)  # the park's 2025 figures are locked
    lowest = EvaluationResult.objects.get(enterprise=firms[0], run__year=2025, is_current=True)
    assert lowest.grade == "D"
    appeal = services.file_appeal(
        actor=world.city_supervisor, result=lowest, reason="漏报税款。", corrections={"tax": "900"}
    )
    services.decide_appeal(
        actor=world.city_supervisor,
        appeal=appeal,
        version=appeal.version,
        accept=True,
        decision="采纳。",
    )
    # The county's figures were open (已报送): re-written from the new result (A twice, no D).
    assert stored(world.county_a.pk, "ent_grade_a_share", 2025).value == D(50)
    assert stored(world.county_a.pk, "ent_grade_d_share", 2025).value == D(0)
    assert stored(world.county_a.pk, "ent_tax_per_mu", 2025).value == D(9)  # 1800 ÷ 200
    # The park's were approved: locked, they do not move; the re-run's event names them.
    locked = stored(world.park_a.pk, "ent_grade_a_share", 2025)
    assert (locked.value, locked.status) == (D(25), "approved")
    assert stored(world.park_a.pk, "ent_tax_per_mu", 2025).value == D(5)
    event = AuditEvent.objects.get(action="enterprises.evaluation.appeal_rerun")
    assert event.after is not None
    assert any("A类企业占比" in name for name in event.after["rollups_locked"])
    assert AuditEvent.objects.filter(action="stats.value.compute").count() == 3
