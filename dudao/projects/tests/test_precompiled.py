"""The API's hot queries compiled once (dudao.core.precompiled) give what the ORM gives: the
list page for every filter shape and scope kind, the list codes, the county-scope check;
and the Bearer token look-up keeps its checks (revoked, expired, inactive) per request."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dudao.accounts.models import ApiToken, User
from dudao.accounts.services import create_api_token
from dudao.accounts.tokenauth import active_token
from dudao.core.precompiled import Precompiled
from dudao.orgs.models import Organisation
from dudao.projects import selectors
from dudao.projects.models import Project, ProjectList
from dudao.projects.testing import make_project, park_for
from dudao.testing import World

pytestmark = pytest.mark.django_db


def _named(project: Project, name: str) -> None:
    Project.objects.filter(pk=project.pk).update(name=name)


def _projects(world: World) -> None:
    lists = [
        ProjectList.objects.create(code="c25", name="市重点2025", year=2025),
        ProjectList.objects.create(code="p26", name="省重点2026", year=2026, sort_order=2),
    ]
    park = park_for(world.park_a, world.county_a)
    _named(make_project(world, lists=lists), "甲_50%项目")
    _named(make_project(world, park=park, lists=[lists[0]]), "园区项目")
    small = make_project(world, stage=Project.Stage.CONTINUING, total=Decimal("1.5"), plan=None)
    _named(small, "乙项目")
    _named(make_project(world, county=world.county_b, lists=[lists[1]]), "县外项目")


def test_list_page_is_the_orm_page_for_every_shape(world: World) -> None:
    _projects(world)
    some = Project.objects.filter(lists__isnull=False).values_list("lists", flat=True).first()
    any_project = Project.objects.order_by("pk").first()
    assert any_project is not None
    choices: dict[str, list[Any]] = {
        "county": [None, world.county_a.pk, world.county_b.pk],
        "category": [None, any_project.category_id],
        "stage": ["", Project.Stage.CONTINUING],
        "list": [None, some],
        "q": ["", "项目", "_50%", "乙"],
    }
    users = [
        world.city_supervisor,
        world.county_a_reporter,
        world.county_b_reporter,
        world.park_reporter,
    ]
    for user, values in itertools.product(users, itertools.product(*choices.values())):
        f = selectors.ProjectFilters(**dict(zip(choices, values, strict=True)))
        for offset, limit in ((0, 50), (1, 2), (10, 5)):
            expected = selectors.project_page(
                selectors.filter_projects(user, f, None, None), offset, limit
            )
            got = selectors.api_project_page(user, f, None, None, offset=offset, limit=limit)
            assert got == expected, (user.username, f, offset, limit)


def test_list_codes_and_scope_check_match_the_orm(world: World) -> None:
    _projects(world)
    ids = list(Project.objects.order_by("-pk").values_list("pk", flat=True))
    codes = selectors.list_codes(ids)
    for pid in ids:
        project = Project.objects.get(pk=pid)
        assert sorted(codes[pid]) == sorted(project.lists.values_list("code", flat=True))
    assert selectors.list_codes([]) == {}
    park_user = world.park_reporter
    assert Project.objects.visible_to(park_user).count() == 1
    assert Project.objects.visible_to(world.county_a_reporter).count() == 3


def test_token_lookup_checks_every_request(client: Client, world: World) -> None:
    user: User = world.county_a_reporter
    token, raw = create_api_token(actor=user, name="机器")
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/projects", headers=headers).status_code == 200
    found = active_token(token.token_hash)
    assert found is not None
    assert found.user == user
    assert found.user.organisation == user.organisation
    assert found.user.roles == user.roles
    assert found.user.date_joined == User.objects.get(pk=user.pk).date_joined
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert active_token(token.token_hash) is None
    assert client.get("/api/v1/projects", headers=headers).status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(expires_at=None, revoked_at=timezone.now())
    assert client.get("/api/v1/projects", headers=headers).status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=None)
    assert client.get("/api/v1/projects", headers=headers).status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/api/v1/projects", headers=headers).status_code == 401


def test_precompiled_binds_each_kind_of_parameter(world: World) -> None:
    def build(shape: object, path: str, pk: int, ids: tuple[int, ...], name: str) -> object:
        return (
            Organisation.objects.filter(path__startswith=path, name__icontains=name)
            .exclude(pk=pk)
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", "created_at")
        )

    query = Precompiled(build)  # type: ignore[arg-type]
    orgs = list(Organisation.objects.order_by("pk"))
    for org in orgs:
        ids = tuple(o.pk for o in orgs)
        expected = list(
            Organisation.objects.filter(path__startswith=org.path, name__icontains="县")
            .exclude(pk=orgs[0].pk)
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", "created_at")
        )
        got = query.rows(len(ids), path=org.path, pk=orgs[0].pk, ids=ids, name="县")
        assert got == expected
