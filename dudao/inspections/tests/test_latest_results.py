"""`latest_published_results` and `judge_agenda`."""

from __future__ import annotations

import pytest

from dudao.inspections import selectors, services
from dudao.inspections.tests.factories import make_tour_world, score_and_submit
from dudao.testing import World

pytestmark = pytest.mark.django_db


def test_only_a_published_tour_is_the_latest_ranking(world: World) -> None:
    tw = make_tour_world(world)
    assert selectors.latest_published_results(world.city_leader) is None
    score_and_submit(world.judge, tw.site_a, "9")
    score_and_submit(world.judge, tw.site_b, "8")
    score_and_submit(tw.county_a_judge_user, tw.site_b, "10")
    tour = services.transition_tour(actor=world.city_supervisor, tour=tw.tour, action="close")
    services.publish_tour(actor=world.city_supervisor, tour=tour)
    report = selectors.latest_published_results(world.county_b_reporter)
    assert report is not None
    assert report.tour.pk == tw.tour.pk
    assert len(report.units) == 2
    assert all(r.rank is not None for r in report.units)
    assert selectors.judge_agenda(world.judge) == []  # published: nothing left to score


def test_the_agenda_puts_the_tour_being_scored_first(world: World) -> None:
    planning = make_tour_world(world, open_scoring=False, county_judge=False)
    scoring = make_tour_world(world, county_judge=False)
    agenda = [seat.tour.pk for seat in selectors.judge_agenda(world.judge)]
    assert agenda == [scoring.tour.pk, planning.tour.pk]
