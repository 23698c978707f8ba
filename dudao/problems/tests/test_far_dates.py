"""Issue 11 item 5: a deadline outside the configured window of years (3026-12-31) is refused
with a Chinese message on the page, the API and the import, and nothing is written; a problem
whose far deadline is already in the database (inserted raw) still lists, exports and moves."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse

from dudao.audit.models import AuditEvent
from dudao.problems.models import Problem
from dudao.problems.tests.factories import category, make_problem
from dudao.testing import World

pytestmark = pytest.mark.django_db

FAR = "3026-12-31"


def _counts() -> tuple[int, int]:
    return Problem.objects.count(), AuditEvent.objects.count()


def test_the_page_refuses_a_far_deadline_and_writes_nothing(client: Client, world: World) -> None:
    client.force_login(world.city_supervisor)
    before = _counts()
    response = client.post(
        reverse("problems:create"),
        {
            "source": "supervision",
            "category": category("funding").pk,
            "title": "千年之后的时限",
            "severity": "general",
            "responsible_org": world.county_a.pk,
            "deadline": FAR,
        },
    )
    assert response.status_code == 200
    assert f"整改时限“{FAR}”超出允许范围（2000–2099年）" in response.content.decode()
    assert _counts() == before


def test_the_api_refuses_a_far_deadline_and_writes_nothing(client: Client, world: World) -> None:
    client.force_login(world.city_supervisor)
    before = _counts()
    response = client.post(
        reverse("api:problem_list"),
        {
            "source": "supervision",
            "category_id": category("funding").pk,
            "title": "千年之后的时限",
            "responsible_org_id": world.county_a.pk,
            "deadline": FAR,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid",
        "message": f"整改时限“{FAR}”超出允许范围（2000–2099年）。",
        "details": {"field": "deadline"},
    }
    assert _counts() == before


def test_the_api_refuses_a_far_found_on_date(client: Client, world: World) -> None:
    client.force_login(world.city_supervisor)
    before = _counts()
    response = client.post(
        reverse("api:problem_list"),
        {
            "source": "supervision",
            "category_id": category("funding").pk,
            "title": "远古发现",
            "responsible_org_id": world.county_a.pk,
            "found_on": "0001-01-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "发现日期“0001-01-01”超出允许范围" in response.json()["error"]["message"]
    assert _counts() == before


def test_a_patch_and_a_reopen_refuse_a_far_deadline(client: Client, world: World) -> None:
    problem = make_problem(world, world.county_a)
    client.force_login(world.city_supervisor)
    url = reverse("api:problem_detail", kwargs={"problem_id": problem.pk})
    for deadline in (FAR, None):
        response = client.patch(
            url, json.dumps({"version": problem.version, "deadline": deadline}), "application/json"
        )
        assert response.status_code == 400, response.content
        assert response.json()["error"]["details"] == {"field": "deadline"}
    problem.refresh_from_db()
    assert problem.deadline < dt.date(2100, 1, 1)


def test_a_ledger_with_a_far_deadline_in_the_database_still_works(
    client: Client, world: World
) -> None:
    problem = make_problem(world, world.county_a, title="数据库里的远期时限")
    Problem.objects.filter(pk=problem.pk).update(deadline=dt.date(3026, 12, 31))
    other = make_problem(world, world.county_a, title="另一个问题")
    Problem.objects.filter(pk=other.pk).update(deadline=dt.date(9999, 12, 31))
    for user in (world.city_supervisor, world.city_leader, world.county_a_reporter):
        client.force_login(user)
        page = client.get(reverse("problems:list"))
        assert page.status_code == 200
        assert "数据库里的远期时限" in page.content.decode()
        assert client.get(reverse("problems:export")).status_code == 200
        listed = client.get(reverse("api:problem_list"))
        assert listed.status_code == 200
        assert problem.pk in {row["id"] for row in listed.json()["items"]}
        detail = client.get(reverse("api:problem_detail", kwargs={"problem_id": problem.pk}))
        assert detail.status_code == 200
    client.force_login(world.county_a_reporter)
    moved = client.post(
        reverse("api:problem_transition", kwargs={"problem_id": problem.pk}),
        {"action": "start", "version": problem.version},
        content_type="application/json",
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["status"] == "fixing"
