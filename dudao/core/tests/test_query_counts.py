"""Query-count guards: the main pages and endpoints stay at a few queries however many rows
they show, so an N+1 regression fails here (as Zulip and NetBox do with assertNumQueries)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from dudao.accounts.services import record_login_failure
from dudao.core.roles import Role
from dudao.regions.models import Region
from dudao.testing import ActorName, World, add_user, make_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowded(world: World) -> World:
    """Twelve more organisations (each with a region) with an account each, more events."""
    regions = list(Region.objects.filter(level="county")[:12])
    for n, region in enumerate(regions):
        parent = world.county_a if n % 2 else world.county_b
        org = make_organisation(world.sysadmin, parent=parent, name=f"加测单位{n}", region=region)
        add_user(world, org, Role.REPORTER, must_change_password=True)
        record_login_failure(username=f"ghost{n}", locked=False)
    return world


@pytest.mark.parametrize(
    ("actor", "name", "max_queries"),
    [
        # session, user (with organisation), then the page's own queries
        ("county_a_reviewer", "home", 4),
        ("sysadmin", "orgs:list", 4),
        ("sysadmin", "users:list", 5),
        ("auditadmin", "audit:list", 5),
        ("county_a_reporter", "api:me", 3),
        ("sysadmin", "api:organisation_list", 4),
        ("sysadmin", "api:user_list", 4),
        ("auditadmin", "api:audit_event_list", 4),
    ],
)
def test_it_reads_a_page_in_a_few_queries(
    client: Client,
    crowded: World,
    django_assert_max_num_queries: DjangoAssertNumQueries,
    *,
    actor: ActorName,
    name: str,
    max_queries: int,
) -> None:
    client.force_login(crowded.actor(actor))
    client.get(reverse("home"))  # first request: session timestamps, demo-mode flag cached
    with django_assert_max_num_queries(max_queries):
        response = client.get(reverse(name))
    assert response.status_code == 200


def test_it_lists_every_row_it_counted(client: Client, crowded: World) -> None:
    client.force_login(crowded.sysadmin)
    assert client.get(reverse("orgs:list")).context["page"].paginator.count == 21
    assert client.get(reverse("users:list")).context["page"].paginator.count == 22
    assert client.get(reverse("api:organisation_list")).json()["count"] == 21
