"""Organisation pages and API: lists hold no row outside the scope; writes go through services."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dudao.audit.models import AuditEvent
from dudao.core.roles import Role
from dudao.orgs.models import Organisation
from dudao.testing import World, add_user

pytestmark = pytest.mark.django_db


def test_it_lists_only_organisations_in_scope(client: Client, world: World) -> None:
    client.force_login(world.county_b_reporter)
    page = client.get(reverse("orgs:list"))
    assert [o.code for o in page.context["page"]] == ["SFS-B", "SFS-B-FGW", "SFS-B-P1"]
    html = page.content.decode()
    assert "乙县人民政府" in html
    assert "甲县" not in html
    assert "示范市人民政府督查室" not in html

    api = client.get(reverse("api:organisation_list")).json()
    assert api["count"] == 3
    assert [o["code"] for o in api["items"]] == ["SFS-B", "SFS-B-FGW", "SFS-B-P1"]


def test_it_searches_within_the_scope_only(client: Client, world: World) -> None:
    client.force_login(world.county_b_reporter)
    page = client.get(reverse("orgs:list"), {"q": "发展和改革"})
    assert [o.code for o in page.context["page"]] == ["SFS-B-FGW"]
    api = client.get(reverse("api:organisation_list"), {"q": "甲县"}).json()
    assert api == {"items": [], "count": 0}


def test_it_returns_the_table_alone_to_htmx(client: Client, world: World) -> None:
    client.force_login(world.city_leader)
    response = client.get(reverse("orgs:list"), {"kind": "park_committee"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert [o.code for o in response.context["page"]] == ["SFS-A-P1", "SFS-B-P1"]


def test_it_shows_children_and_accounts_to_sysadmin(client: Client, world: World) -> None:
    client.force_login(world.sysadmin)
    response = client.get(reverse("orgs:detail", kwargs={"pk": world.county_a.pk}))
    assert [o.code for o in response.context["children"]] == ["SFS-A-FGW", "SFS-A-P1"]
    assert [u.username for u in response.context["users"]] == ["a_reviewer"]
    assert response.context["can_edit"] is True


def test_it_hides_accounts_from_business_roles(client: Client, world: World) -> None:
    client.force_login(world.county_a_reviewer)
    response = client.get(reverse("orgs:detail", kwargs={"pk": world.county_a.pk}))
    assert response.context["users"] is None
    assert response.context["can_edit"] is False


def test_it_creates_an_organisation_on_the_page_with_the_request_id(
    client: Client, world: World
) -> None:
    client.force_login(world.sysadmin)
    response = client.post(
        reverse("orgs:create"),
        {
            "name": "甲县统计局",
            "code": "SFS-A-TJJ",
            "kind": "statistics",
            "parent": world.county_a.pk,
            "scope_base": "",
            "uscc": "",
            "sort_order": "",
        },
        HTTP_X_REQUEST_ID="req-0123456789",
    )
    org = Organisation.objects.get(code="SFS-A-TJJ")
    assert (response.status_code, response["Location"]) == (
        302,
        reverse("orgs:detail", kwargs={"pk": org.pk}),
    )
    assert response["X-Request-ID"] == "req-0123456789"
    assert (org.parent, org.scope_base, org.scope_path) == (
        world.county_a,
        "parent",
        world.county_a.path,
    )
    event = AuditEvent.objects.filter(action="org.create", object_id=str(org.pk)).get()
    assert (event.request_id, event.ip, event.actor) == (
        "req-0123456789",
        "127.0.0.1",
        world.sysadmin,
    )


def test_it_shows_service_errors_on_the_form_field(client: Client, world: World) -> None:
    client.force_login(world.sysadmin)
    response = client.post(
        reverse("orgs:create"),
        {
            "name": "某公司",
            "code": "SFS-X",
            "kind": "department",
            "parent": world.city.pk,
            "uscc": "91110000600037341X",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "uscc": ["统一社会信用代码“91110000600037341X”无效（应为18位，且校验位正确）。"]
    }
    assert not Organisation.objects.filter(code="SFS-X").exists()


def test_county_sysadmin_cannot_see_other_county_accounts(client: Client, world: World) -> None:
    county_sysadmin = add_user(world, world.county_a, Role.SYSADMIN)
    client.force_login(county_sysadmin)
    listing = client.get(reverse("users:list"))
    assert sorted(u.username for u in listing.context["page"]) == sorted(
        ["a_reporter", "a_reviewer", "park_reporter", county_sysadmin.username]
    )
    for name in ("users:detail", "users:edit"):
        url = reverse(name, kwargs={"pk": world.county_b_reporter.pk})
        assert client.get(url).status_code == 404
    api = client.get(reverse("api:user_detail", kwargs={"user_id": world.county_b_reporter.pk}))
    assert api.status_code == 404
    assert client.get(reverse("orgs:edit", kwargs={"pk": world.county_b.pk})).status_code == 404


def test_the_create_form_offers_the_type_default_as_the_chosen_scope(
    client: Client, world: World
) -> None:
    client.force_login(world.sysadmin)
    html = client.get(reverse("orgs:create")).content.decode()
    select = html[
        html.index('name="scope_base"') : html.index("</select>", html.index('name="scope_base"'))
    ]
    assert '<option value="" selected>按类型默认</option>' in select
    response = client.post(
        reverse("orgs:create"),
        {
            "name": "示范市第二督查室",
            "code": "SFS-DCS2",
            "kind": "supervision_office",
            "parent": world.city.pk,
            "scope_base": "",
        },
    )
    assert response.status_code == 302
    office = Organisation.objects.get(code="SFS-DCS2")
    assert office.scope_base == "parent"  # it sees the city's parks, as its type does
    assert office.scope_path == world.city.path
    assert office.effective_scope == "示范市人民政府及其全部下级"


def test_the_unit_list_shows_each_units_effective_scope(client: Client, world: World) -> None:
    client.force_login(world.county_b_reporter)
    html = client.get(reverse("orgs:list")).content.decode()
    assert "乙县人民政府及其全部下级" in html  # the county's 发改委 sees the county's tree
    assert "乙县人民政府及其下级" in html
    assert "按类型默认" in html
