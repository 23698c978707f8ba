"""A problem may be linked only to a park in the user's scope (issue 11 item 14): the picker
offers only those parks, the API answers 404 for another county's park (as for a missing
one), and the service refuses it whoever calls it."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dudao.core.exceptions import DomainError
from dudao.orgs.models import Organisation
from dudao.parks.models import Park
from dudao.problems import selectors
from dudao.problems.tests.factories import category, make_problem
from dudao.testing import World

pytestmark = pytest.mark.django_db
_serial = itertools.count(1)


def _park(committee: Organisation, county: Organisation) -> Park:
    n = next(_serial)
    return Park.objects.create(
        code=f"PS{n:04d}", name=f"范围测试园区{n}", organisation=committee, county=county
    )


def test_the_park_picker_and_the_link_stay_in_scope(client: Client, world: World) -> None:
    own = _park(world.park_a, world.county_a)
    other = _park(world.park_b, world.county_b)
    picker = set(selectors.park_choices(world.county_a_reviewer))
    assert own in picker
    assert other not in picker
    assert {own, other} <= set(selectors.park_choices(world.city_supervisor))

    with pytest.raises(DomainError) as exc:
        make_problem(world, actor=world.county_a_reviewer, park=other)
    assert exc.value.field == "park"

    client.force_login(world.county_a_reviewer)
    body = {
        "source": "inspection",
        "category_id": category("land").pk,
        "title": "园区问题",
        "responsible_org_id": world.county_a.pk,
        "deadline": (timezone.localdate() + dt.timedelta(days=15)).isoformat(),
    }
    url = reverse("api:problem_list")
    refused = client.post(url, {**body, "park_id": other.pk}, content_type="application/json")
    missing = client.post(url, {**body, "park_id": 999_999}, content_type="application/json")
    assert refused.status_code == missing.status_code == 404
    assert refused.json() == missing.json()
    ok = client.post(url, {**body, "park_id": own.pk}, content_type="application/json")
    assert ok.status_code == 201, ok.content
