"""The registry's HTML pages print rows whose display strings the selectors worked out once
(`selectors.list_rows`, `selectors.history_rows`) and whose markup is built in Python
(`dudao.projects.listhtml`): the rows must be byte-for-byte what the former template loops gave
from the model objects (kept here as the reference), within scope."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.template import engines
from django.test import Client

from dudao.projects import selectors
from dudao.projects.models import MonthlyReport, Project
from dudao.projects.testing import make_project, node, park_for, report
from dudao.testing import World

pytestmark = pytest.mark.django_db
S = MonthlyReport.Status

# The row loops of projects/_list_table.html and projects/detail.html before the change.
FORMER_LIST_LOOP = '{% load listing %}{% for p, pl in rows %}\n<tr><td><a href="{% url \'projects:detail\' p.pk %}?period={{ period }}">{{ p.name }}</a>{% if p.park %}<br><small class="muted">{{ p.park.short_name|default:p.park.name }}</small>{% endif %}</td>\n<td>{{ p.county.short_name|default:p.county.name }}</td><td>{{ p.category.name }}</td><td>{{ p.get_stage_display }}</td><td>{{ p.get_level_display }}</td>\n<td class="num">{{ p.total_investment|wan }}</td><td class="num">{% if pl.progress.plan %}{{ pl.progress.plan|wan }}{% else %}—{% endif %}</td>\n<td class="num">{{ pl.progress.done|wan }}</td>\n<td class="num">{% if pl.progress.rate_pct is not None %}{{ pl.progress.rate_pct }}%{% else %}—{% endif %}</td>\n<td class="num">{% if pl.progress.lag is not None %}{% if pl.progress.lag > 0 %}<span class="neg">低 {{ pl.progress.lag }}</span>{% else %}<span class="pos">超 {{ pl.progress.ahead }}</span>{% endif %}{% else %}—{% endif %}</td>\n<td>{% include "projects/_light.html" with light=pl.light title=pl.progress.reached %}{% if pl.start_late %} <small class="neg">开工延迟{{ pl.start_late }}个月</small>{% endif %}</td></tr>\n{% empty %}<tr><td colspan="11" class="empty">没有符合条件的项目。</td></tr>\n{% endfor %}\n'  # noqa: E501
FORMER_HISTORY_LOOP = '{% for r in history %}<tr><td><a href="{% url \'projects:report\' r.pk %}">{{ r.year }}年{{ r.month }}月</a></td><td class="num">{{ r.invest_month }}</td><td class="num">{{ r.invest_ytd }}</td><td class="num">{{ r.invest_total }}</td><td>{{ r.progress_text|default:"—" }}{% if r.has_problem %} <span class="tag tag-red">有问题</span>{% endif %}</td><td>{{ r.get_status_display }}{% if r.is_late %} <span class="tag tag-yellow">逾期</span>{% endif %}</td></tr>{% empty %}<tr><td colspan="6" class="empty">尚无月报。</td></tr>{% endfor %}'  # noqa: E501


def _render(source: str, **context: object) -> str:
    return str(engines["django"].from_string(source).render(context))


def _between(html: str, start: str, end: str) -> str:
    head = html.index(start) + len(start)
    return html[head : html.index(end, head)]


def _projects(world: World) -> list[Project]:
    park = park_for(world.park_a, world.county_a)
    tricky = make_project(world, park=park, planned_start=date(2025, 10, 1))
    Project.objects.filter(pk=tricky.pk).update(name="<甲&\"项目'>")
    lagging = make_project(world, plan=Decimal("1200"), stage=Project.Stage.CONTINUING)
    ahead = make_project(world, plan=Decimal("100"), total=Decimal("12345678.95"))
    make_project(world, plan=None, actual_start=None)
    make_project(world, county=world.county_b)  # out of the reporter's scope
    report(world, lagging, 3, "10.5", status=S.APPROVED)
    report(world, ahead, 3, "30", status=S.APPROVED)
    report(world, tricky, 3, "0", status=S.SUBMITTED)
    return [tricky, lagging, ahead]


@pytest.mark.parametrize("query", ["", "&sort=-rate", "&sort=done&per_page=20", "&q=%E7%94%B2"])
def test_list_rows_are_what_the_former_template_gave(
    client: Client, world: World, query: str
) -> None:
    _projects(world)
    client.force_login(world.county_a_reporter)
    r = client.get("/projects/?period=2026-03" + query)
    assert r.status_code == 200
    page = r.context["page"]
    ids = [v["pk"] for v in page.object_list]
    assert ids  # every case shows rows
    objects = {
        p.pk: p
        for p in Project.objects.filter(pk__in=ids).select_related("county", "park", "category")
    }
    lights = selectors.lights_for(ids, 2026, 3)
    expected = _render(
        FORMER_LIST_LOOP,
        rows=[(objects[pk], lights[pk]) for pk in ids],
        period="2026-03",
    )
    assert _between(r.content.decode(), "<tbody>\n", "</tbody>") == expected
    assert Project.objects.get(county=world.county_b).name not in r.content.decode()


def test_empty_list_says_so(client: Client, world: World) -> None:
    client.force_login(world.county_a_reporter)
    body = client.get("/projects/?q=没有这个项目").content.decode()
    assert '<tr><td colspan="11" class="empty">没有符合条件的项目。</td></tr>' in body


def test_history_rows_are_what_the_former_template_gave(client: Client, world: World) -> None:
    p = make_project(world)
    report(world, p, 1, "100.5", status=S.APPROVED)
    report(world, p, 2, "20", status=S.SUBMITTED, node=node("START"), node_date=date(2026, 2, 3))
    report(world, p, 3, "0", progress_text="<主体&施工>", has_problem=True, problem_text="缺资金")
    MonthlyReport.objects.filter(project=p, month=2).update(is_late=True)
    client.force_login(world.county_a_reporter)
    body = client.get(f"/projects/{p.pk}/").content.decode()
    history = list(p.reports.order_by("-year", "-month"))
    expected = _render(FORMER_HISTORY_LOOP, history=history)
    section = _between(body, "<th>状态</th></tr></thead><tbody>\n", "\n</tbody>")
    assert section == expected
    assert "&lt;主体&amp;施工&gt;" in section
    assert "逾期" in section
    assert "有问题" in section
    empty = make_project(world)
    assert (
        '<td colspan="6" class="empty">尚无月报。</td>'
        in client.get(f"/projects/{empty.pk}/").content.decode()
    )
