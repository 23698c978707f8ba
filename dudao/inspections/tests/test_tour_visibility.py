"""Who sees a tour (docs/inspections.md, 谁能看到观摩活动), in the access-matrix style: before
publication its organisers and judges only; once published also every participant. Out of
visibility is 404 in pages and API alike, and the tour is missing from every list."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse

from dudao.accounts.models import User
from dudao.inspections import selectors, services
from dudao.inspections.tests.factories import TourWorld, make_tour_world, score_and_submit
from dudao.testing import ActorName, World

pytestmark = pytest.mark.django_db

ORGANISERS: tuple[ActorName, ...] = ("city_supervisor", "city_leader")
PARTICIPANTS: tuple[ActorName, ...] = (
    "county_a_reporter",
    "county_a_reviewer",
    "park_reporter",
    "county_b_reporter",
)


def _answers(client: Client, user: User, tw: TourWorld) -> dict[str, object]:
    """What the user gets for the tour: each page and API call, the list, a site, a finding."""
    client.force_login(user)
    pk = tw.tour.pk
    answers: dict[str, object] = {
        name: client.get(reverse(name, kwargs={"pk": pk})).status_code
        for name in ("inspections:detail", "inspections:summary", "inspections:results")
    }
    api = reverse("api:inspection_tour_results", kwargs={"tour_id": pk})
    answers["api results"] = client.get(api).status_code
    listed = client.get(reverse("api:inspection_tour_list")).json()
    answers["api list"] = pk in [t["id"] for t in listed]
    answers["list"] = selectors.list_tours(user).filter(pk=pk).exists()
    try:
        selectors.get_site(user, tw.site_a.pk)
        answers["site"] = 200
    except Http404:
        answers["site"] = 404
    return answers


def _seen(answers: dict[str, object]) -> bool | None:
    """True when everything answers the tour, False when everything hides it."""
    pages = {v for k, v in answers.items() if k not in ("api list", "list", "site")}
    if pages == {200} and answers["api list"] and answers["list"]:
        return True
    if pages == {404} and not answers["api list"] and not answers["list"]:
        return False
    return None  # mixed: a leak somewhere


def _publish(world: World, tw: TourWorld) -> None:
    score_and_submit(world.judge, tw.site_a, "9")
    score_and_submit(world.judge, tw.site_b, "8")
    actor = world.city_supervisor
    services.transition_tour(actor=actor, tour=tw.tour, action="close")
    services.publish_tour(actor=actor, tour=tw.tour, reason="县评委未到场")


def test_a_tour_is_seen_by_organisers_and_judges_before_and_participants_after(
    client: Client, world: World
) -> None:
    tw = make_tour_world(world)
    judges = {"judge": world.judge, "county_a_judge": tw.county_a_judge_user}
    users = {name: world.actor(name) for name in (*ORGANISERS, *PARTICIPANTS)} | judges

    before = {name: _answers(client, user, tw) for name, user in users.items()}
    assert {name: _seen(a) for name, a in before.items()} == {
        "city_supervisor": True,
        "city_leader": True,
        "judge": True,
        "county_a_judge": True,  # a seat is the organiser's grant, whatever the judge's county
        "county_a_reporter": False,
        "county_a_reviewer": False,
        "park_reporter": False,
        "county_b_reporter": False,
    }
    # A site of the tour in preparation is hidden from its own county too.
    assert before["county_a_reporter"]["site"] == 404
    assert before["city_supervisor"]["site"] == 200

    _publish(world, tw)
    after = {name: _answers(client, user, tw) for name, user in users.items()}
    assert {name: _seen(a) for name, a in after.items()} == dict.fromkeys(users, True)
    assert after["county_a_reporter"]["site"] == 200  # its own county's site
    assert after["county_b_reporter"]["site"] == 404  # another county's site: scope as ever
