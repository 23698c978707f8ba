"""The registry's three hot pages (the list with county + category filters, a project's page
with its monthly history, the city analysis) read what they show with a fixed number of
queries, whatever the number of rows; what they cache lives no longer than one reading
request, so a change is on the very next page; and the filters and the side menu, now built in
Python, print exactly what the former template loops printed."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.template import engines
from django.test import Client

from dudao.core import requestmemo
from dudao.projects import selectors, services
from dudao.projects.models import MonthlyReport, ProjectCategory, ProjectList, ProjectSettings
from dudao.projects.testing import make_project, park_for, report
from dudao.testing import World

pytestmark = pytest.mark.django_db
S = MonthlyReport.Status

# The filter loops of projects/list.html and the menu loops of base.html before the change.
FORMER_OPTIONS = (
    '{% for c in counties %}<option value="{{ c.pk }}"{% if c.pk == f.county %} selected'
    "{% endif %}>{{ c.short_name|default:c.name }}</option>{% endfor %}|"
    '{% for p in parks %}<option value="{{ p.pk }}"{% if p.pk == f.park %} selected'
    "{% endif %}>{{ p.short_name|default:p.name }}</option>{% endfor %}|"
    '{% for c in categories %}<option value="{{ c.pk }}"{% if c.pk == f.category %} selected'
    "{% endif %}>{{ c.name }}</option>{% endfor %}|"
    '{% for x in lists %}<option value="{{ x.pk }}"{% if x.pk == f.list %} selected'
    "{% endif %}>{{ x.name }}</option>{% endfor %}"
)
FORMER_MENU = (
    '{% if nav_home %}<a class="navhome{% if nav_home.active %} active{% endif %}" '
    'href="{{ nav_home.url }}"{% if nav_home.active %} aria-current="page"{% endif %}>'
    "{{ nav_home.label }}</a>{% endif %}\n"
    '    {% for group in nav_groups %}<details class="navgroup" data-group="{{ group.key }}"'
    "{% if group.active %} open{% endif %}>\n"
    "      <summary>{{ group.label }}</summary>\n"
    '      {% for item in group.items %}<a href="{{ item.url }}"{% if item.active %} '
    'class="active" aria-current="page"{% endif %}>{{ item.label }}</a>{% endfor %}\n'
    "    </details>{% endfor %}"
)


def _render(source: str, **context: object) -> str:
    return str(engines["django"].from_string(source).render(context))


def _select(html: str, name: str) -> str:
    """The options of one filter, after its 全部… option."""
    start = html.index(f'<select name="{name}"')
    head = html.index("</option>", start) + len("</option>")
    return html[head : html.index("</select>", head)]


def _data(world: World, n: int) -> list[Any]:
    park = park_for(world.park_a, world.county_a)
    projects = [make_project(world, park=park if i % 2 else None) for i in range(n)]
    for p in projects:
        for month in (1, 2, 3):
            report(world, p, month, "10", status=S.APPROVED)
    return projects


def _list_path(world: World) -> str:
    industry = ProjectCategory.objects.get(code="industry").pk
    return f"/projects/?county={world.county_a.pk}&category={industry}"


# Per page: session, user, whether the scope holds a county; then the page's own reads.
# The list (16): the reporting period (settings, calendar overrides, published years), count,
# rows, month locks, plans, approved figures, start dates, the filters (counties, parks,
# categories, lists). The project page (17): the project, the reporting period (3), lights
# (plans, approved figures, start dates; the settings already read), the history (which the
# chart reuses), the chart's plan, milestones, milestone nodes, year plans, lists, leaders'
# instructions. The analysis (18): as before.
PAGES: dict[str, tuple[Callable[[World, Any], str], int]] = {
    "list": (lambda world, p: _list_path(world), 16),
    "detail": (lambda world, p: f"/projects/{p.pk}/", 17),
    "analysis": (lambda world, p: "/projects/analysis/?period=2026-03", 18),
}


@pytest.mark.parametrize("page", PAGES)
def test_pages_read_a_fixed_number_of_queries(
    client: Client, world: World, django_assert_num_queries: Any, page: str
) -> None:
    path_of, expected = PAGES[page]
    projects = _data(world, 3)
    client.force_login(world.city_supervisor)
    path = path_of(world, projects[0])
    assert client.get(path).status_code == 200  # the compiled shapes are built once
    with django_assert_num_queries(expected):
        assert client.get(path).status_code == 200
    _data(world, 4)  # more rows, the same reads
    with django_assert_num_queries(expected):
        assert client.get(path).status_code == 200


def test_filters_are_what_the_former_template_loops_gave(client: Client, world: World) -> None:
    park = park_for(world.park_a, world.county_a)
    make_project(world, park=park)
    make_project(world, county=world.county_b)
    ProjectCategory.objects.filter(code="industry").update(name="产业<&\"'>")
    for who in (world.city_supervisor, world.county_a_reporter, world.park_reporter):
        client.force_login(who)
        industry = ProjectCategory.objects.get(code="industry").pk
        html = client.get(f"/projects/?county={world.county_a.pk}&category={industry}").content
        shown = "|".join(
            _select(html.decode(), name) for name in ("county", "park", "category", "list")
        )
        expected = _render(
            FORMER_OPTIONS,
            counties=selectors.county_choices(who),
            parks=selectors.filter_parks(who),
            categories=ProjectCategory.objects.filter(is_active=True),
            lists=ProjectList.objects.filter(is_active=True),
            f=selectors.ProjectFilters(county=world.county_a.pk, category=industry),
        )
        assert shown == expected
        assert "selected>产业&lt;&amp;&quot;&#x27;&gt;</option>" in shown


def test_side_menu_is_what_the_former_template_loops_gave(client: Client, world: World) -> None:
    for who, path in (
        (world.city_supervisor, "/projects/"),
        (world.county_a_reporter, "/projects/analysis/"),
        (world.park_reporter, "/"),
    ):
        client.force_login(who)
        response = client.get(path)
        html = response.content.decode()
        expected = _render(
            FORMER_MENU,
            nav_home=response.context["nav_home"],
            nav_groups=response.context["nav_groups"],
        )
        start = html.index('<nav class="sidenav" id="sidenav" aria-label="主导航">\n    ')
        menu = html[start : html.index("\n  </nav>", start)].split("\n    ", 1)[1]
        assert menu == expected


def test_a_change_is_on_the_next_page(client: Client, world: World) -> None:
    """Nothing the pages read is kept beyond the request: a new park, a renamed category or
    list and new light thresholds show on the next request."""
    project = make_project(world, plan=Decimal("1200"))
    report(world, project, 3, "10", status=S.APPROVED)
    client.force_login(world.city_supervisor)
    path = "/projects/?period=2026-03"
    html = client.get(path).content.decode()
    assert "新园区" not in _select(html, "park")
    assert "light-red" not in html.split("<tbody>")[1]

    park = park_for(world.park_a, world.county_a)
    park.name, park.short_name = "新园区", ""
    park.save()
    make_project(world, park=park)
    ProjectCategory.objects.filter(code="industry").update(name="工业项目")
    ProjectList.objects.create(code="L-NEW", name="新名单", year=2026)
    services.update_settings(
        actor=world.city_supervisor,
        version=ProjectSettings.current().version,
        lag_yellow_from=Decimal("0"),
        lag_red_above=Decimal("0"),
    )

    html = client.get(path).content.decode()
    assert "新园区" in _select(html, "park")
    assert "工业项目" in _select(html, "category")
    assert "新名单" in _select(html, "list")
    assert "light-red" in html.split("<tbody>")[1]


def test_the_memo_lives_one_reading_request() -> None:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert (requestmemo.memo("k", compute), requestmemo.memo("k", compute)) == (1, 2)  # none
    token = requestmemo.open_memo("GET")
    try:
        assert (requestmemo.memo("k", compute), requestmemo.memo("k", compute)) == (3, 3)
    finally:
        requestmemo.close(token)
    token = requestmemo.open_memo("POST")  # a write reads afresh every time
    try:
        assert (requestmemo.memo("k", compute), requestmemo.memo("k", compute)) == (4, 5)
    finally:
        requestmemo.close(token)
    assert requestmemo.memo("k", compute) == 6
