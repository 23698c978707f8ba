"""The side menu: groups are data on each entry (a new module's plain pairs are picked up and
grouped), only what the role may open, exactly one active entry, the active group open; and
the breadcrumbs of detail pages."""

from __future__ import annotations

import re

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from dudao.core.menu import FALLBACK_GROUP, GROUPS, MenuEntry, menu_entry
from dudao.policy import navigation
from dudao.policy.navigation import NavItem, grouped, mark_active
from dudao.testing import ACTORS, ActorName, World

pytestmark = pytest.mark.django_db


def test_an_entry_without_a_group_falls_in_its_modules_group() -> None:
    assert menu_entry(("projects:list", "重大项目")).group_key == "projects"
    assert menu_entry(("bulletins:list", "通报")).group_key == "bulletins"
    assert menu_entry(("cockpit:home", "驾驶舱")).group_key == "cockpit"
    assert menu_entry(("stats:summary", "集聚区综述", "parks")).group_key == "parks"
    assert MenuEntry("newapp:list", "新模块").group_key == FALLBACK_GROUP.key
    assert MenuEntry("token_list", "API 令牌").group_key == FALLBACK_GROUP.key
    name, label = MenuEntry("stats:entry", "指标填报", "parks")  # unpacks like the plain pair
    assert (name, label) == ("stats:entry", "指标填报")
    with pytest.raises(ValueError, match="unknown group"):
        MenuEntry("x:list", "X", group="nonsense")


def test_the_catalogue_is_the_fixed_list_of_modules() -> None:
    assert [g.label for g in GROUPS] == [
        "领导驾驶舱",
        "项目",
        "招商",
        "集聚区",
        "企业",
        "目标",
        "督查",
        "台账",
        "观摩",
        "考评",
        "通报",
        "系统",
    ]


def test_groups_keep_the_catalogue_order_and_unknown_modules_come_last() -> None:
    items = [
        NavItem("/orgs/", "组织机构", "system"),
        NavItem("/new/", "新模块", "other"),
        NavItem("/projects/", "重大项目", "projects"),
        NavItem("/stats/summary/", "集聚区综述", "parks"),
        NavItem("/projects/due/", "本月待办", "projects"),
    ]
    groups = grouped(items)
    assert [(g.label, [i.label for i in g.items]) for g in groups] == [
        ("项目", ["重大项目", "本月待办"]),
        ("集聚区", ["集聚区综述"]),
        ("系统", ["组织机构"]),
        ("其他", ["新模块"]),
    ]


@pytest.mark.parametrize(
    ("path", "active"),
    [
        ("/projects/", "重大项目"),
        ("/projects/12/", "重大项目"),
        ("/projects/due/", "本月待办"),
        ("/projects/due/approve/", "本月待办"),
        ("/", "首页"),
        ("/account/password/", None),  # 首页 only on `/` itself
    ],
)
def test_the_longest_prefix_is_the_one_active_entry(path: str, active: str | None) -> None:
    items = [
        NavItem("/", "首页", ""),
        NavItem("/projects/", "重大项目", "projects"),
        NavItem("/projects/due/", "本月待办", "projects"),
    ]
    mark_active(items, path)
    assert [i.label for i in items if i.active] == ([active] if active else [])


def test_a_new_modules_plain_pair_shows_in_its_group(
    client: Client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A module registering ("<app>:<name>", label) the way the existing ones do: here an
    # existing URL under a name whose namespace has a group of the catalogue.
    entry = menu_entry(("problems:list", "新的台账入口"))
    monkeypatch.setattr(navigation, "NAV", [*navigation.NAV, entry])
    client.force_login(world.county_a_reporter)
    groups = client.get(reverse("home")).context["nav_groups"]
    ledger = next(g for g in groups if g.label == "台账")
    assert "新的台账入口" in [i.label for i in ledger.items]


def _nav_html(html: str) -> str:
    return html[html.index('<nav class="sidenav"') : html.index("</nav>", html.index("sidenav"))]


@pytest.mark.parametrize("actor", ACTORS)
def test_every_entry_opens_with_exactly_one_active_entry_in_an_open_group(
    client: Client, world: World, actor: ActorName
) -> None:
    client.force_login(world.actor(actor))
    items = client.get(reverse("home")).context["nav_items"]
    assert items[0].label == "首页"
    for item in items:
        response = client.get(item.url)
        assert response.status_code == 200, item.url
        if item.url.startswith("/api/"):
            continue  # 接口文档 is the API's own page (Swagger UI), outside the site's frame
        html = _nav_html(response.content.decode())
        active = re.findall(r'class="[^"]*active[^"]*"[^>]*aria-current="page">([^<]+)<', html)
        assert active == [item.label], (item.url, active)
        if item.group:  # the group holding the page's entry is open, the others closed
            opened = re.findall(r'<details class="navgroup" data-group="(\w+)" open>', html)
            assert opened == [item.group], (item.url, opened)


def test_detail_pages_show_breadcrumbs(client: Client, world: World) -> None:
    from dudao.projects.testing import make_project

    project = make_project(world)
    client.force_login(world.county_a_reporter)
    html = client.get(reverse("projects:detail", kwargs={"pk": project.pk})).content.decode()
    crumbs = html[html.index('<nav class="breadcrumbs"') :]
    crumbs = crumbs[: crumbs.index("</nav>")]
    assert f'<a href="{reverse("projects:list")}">重大项目</a>' in crumbs
    assert f'<span aria-current="page">{project.name}</span>' in crumbs


def test_the_drawer_button_and_script_are_served_without_inline_code(
    client: Client, world: World
) -> None:
    client.force_login(world.judge)
    html = client.get(reverse("home")).content.decode()
    assert 'id="navtoggle"' in html
    assert 'aria-controls="sidenav"' in html
    assert "<script>" not in html
    assert " onclick=" not in html


def test_anonymous_pages_have_no_menu(client: Client) -> None:
    request = RequestFactory().get("/login/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    context = navigation.navigation(request)
    assert (context["nav_home"], context["nav_groups"], context["nav_items"]) == (None, [], [])
    assert 'id="sidenav"' not in client.get(reverse("login")).content.decode()
