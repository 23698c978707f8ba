"""The county assessment (§5.4) with weights as data: Σ weight × min(ratio, cap), "—" earns 0,
ties ranked 1-2-2-4, and a weight changed in the data changes the score."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from dudao.investment import figures, services
from dudao.investment.models import AssessmentWeight, IndustryChain, Stage
from dudao.investment.tests.factories import make_deal, walk
from dudao.testing import World

pytestmark = pytest.mark.django_db


def test_scores_caps_and_ranks(world: World) -> None:
    start = timezone.localdate() - dt.timedelta(days=20)
    year = (start + dt.timedelta(days=1)).year
    chain = IndustryChain.objects.create(name="食品", kind="distinctive", organisation=world.city)
    deal = walk(world, make_deal(world, lead_on=start, chain=chain), Stage.PRODUCING, start=start)
    month = (start + dt.timedelta(days=1)).replace(day=1)
    row = services.report_funds(
        actor=world.county_a_reporter,
        deal=deal,
        month=month,
        amount="60000",
        evidence="进账单",
        note="投资方增资",
    )
    services.verify_funds(actor=world.city_supervisor, funding=row, version=row.version)
    assessed, weights = figures.county_assessment(
        world.city_supervisor, year, [world.county_a, world.county_b]
    )
    assert sum(w.weight for w in weights) == Decimal("100")
    a, b = assessed
    assert a.figures.county_id == world.county_a.pk
    # every ratio is 100% (funds 120% capped at 1.0): the full 100 分
    assert a.figures.ratios["funds"].display == "120.0%"
    assert a.score == Decimal("100.00")
    assert (a.rank, b.rank) == (1, 2)
    assert b.score == Decimal("0.00")  # every ratio "—": 0 分
    AssessmentWeight.objects.filter(key="funds").update(weight=Decimal("50"), cap=Decimal("1.2"))
    assessed, _ = figures.county_assessment(world.city_supervisor, year, [world.county_a])
    assert assessed[0].score == Decimal("125.00")  # 10 + 20 + 20 + 50 × 1.2 + 15


def test_ties_share_a_rank(world: World) -> None:
    year = timezone.localdate().year
    assessed, _ = figures.county_assessment(
        world.city_supervisor, year, [world.county_a, world.county_b]
    )
    assert [a.rank for a in assessed] == [1, 1]
