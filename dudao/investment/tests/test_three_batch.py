"""三个一批: periods, the stage each list needs by the period's date, 投产一批 generated from the
previous period's 开工一批, conversion rates per county (a zero denominator is "—")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dudao.core.exceptions import DomainError, InvalidTransition, NotAllowed
from dudao.investment import figures, services
from dudao.investment.models import Stage, ThreeBatchEntry
from dudao.investment.tests.factories import make_deal, walk
from dudao.testing import World

pytestmark = pytest.mark.django_db
L = ThreeBatchEntry.List


def test_lists_need_the_stage_by_the_period_date(world: World) -> None:
    today = timezone.localdate()
    p9 = services.create_period(
        actor=world.city_supervisor, number=9, held_on=today - dt.timedelta(days=100)
    )
    p10 = services.create_period(actor=world.city_supervisor, number=10, held_on=today)
    with pytest.raises(DomainError, match="已存在"):
        services.create_period(actor=world.city_supervisor, number=10, held_on=today)
    with pytest.raises(NotAllowed):
        services.create_period(actor=world.county_a_reporter, number=11, held_on=today)
    # started 300 days ago, in production 294 days ago (walk: one day per stage)
    producing = walk(world, make_deal(world), Stage.PRODUCING)
    signed = walk(world, make_deal(world), Stage.SIGNED, start=today - dt.timedelta(days=10))
    services.add_to_list(
        actor=world.county_a_reporter, period=p9, list_kind=L.START, deal=producing
    )
    with pytest.raises(InvalidTransition, match="未达到“签约”"):
        services.add_to_list(
            actor=world.county_a_reporter, period=p9, list_kind=L.SIGNING, deal=signed
        )
    services.add_to_list(
        actor=world.county_a_reporter, period=p10, list_kind=L.SIGNING, deal=signed
    )
    with pytest.raises(InvalidTransition, match="已在本期"):
        services.add_to_list(
            actor=world.county_a_reporter, period=p10, list_kind=L.SIGNING, deal=signed
        )
    with pytest.raises(InvalidTransition, match="开工"):
        services.add_to_list(
            actor=world.county_a_reporter, period=p10, list_kind=L.START, deal=signed
        )
    added = services.propose_production(actor=world.county_a_reporter, period=p10)
    assert [e.deal_id for e in added] == [producing.pk]
    assert services.propose_production(actor=world.county_a_reporter, period=p10) == []
    with pytest.raises(InvalidTransition, match="之前没有期次"):
        services.propose_production(actor=world.county_a_reporter, period=p9)


def test_a_county_cannot_list_another_countys_deal(world: World) -> None:
    period = services.create_period(
        actor=world.city_supervisor, number=1, held_on=timezone.localdate()
    )
    other = walk(
        world, make_deal(world, world.county_b_drc), Stage.SIGNED, actor=world.city_supervisor
    )
    from django.http import Http404

    with pytest.raises(Http404):
        services.add_to_list(
            actor=world.county_a_reporter, period=period, list_kind=L.SIGNING, deal=other
        )


def test_conversion_rates_per_county(world: World) -> None:
    today = timezone.localdate()
    period = services.create_period(actor=world.city_supervisor, number=3, held_on=today)
    deals = [
        walk(world, make_deal(world), stage)
        for stage in (Stage.SIGNED, Stage.STARTED, Stage.PRODUCING)
    ]
    for deal in deals:
        services.add_to_list(
            actor=world.county_a_reporter, period=period, list_kind=L.SIGNING, deal=deal
        )
    for deal in deals[1:]:
        services.add_to_list(
            actor=world.county_a_reporter, period=period, list_kind=L.START, deal=deal
        )
    a, b = figures.batch_conversions(world.city_supervisor, [world.county_a, world.county_b])
    assert (a.sign_to_start.numerator, a.sign_to_start.denominator) == (Decimal(2), Decimal(3))
    assert a.sign_to_start.display == "66.7%"
    assert (a.start_to_production.numerator, a.start_to_production.denominator) == (
        Decimal(1),
        Decimal(2),
    )
    assert b.sign_to_start.display == "—"
    client = Client()
    client.force_login(world.county_a_reporter)
    page = client.get(reverse("investment:batches")).content.decode()
    assert "66.7%" in page
    detail = client.get(reverse("investment:batch", args=[period.pk])).content.decode()
    assert deals[0].code in detail
