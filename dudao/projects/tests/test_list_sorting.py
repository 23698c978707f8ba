"""The registry list sorts by each of its columns (server-side, in the URL), the export follows
the same order, and the analysis defaults to the last locked month."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from dudao.projects import selectors, services
from dudao.projects.models import MonthlyReport, Project
from dudao.projects.testing import make_project, report
from dudao.testing import World

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def three(world: World) -> list[Project]:
    projects = [
        make_project(world, total=D("90000"), plan=D("30000")),
        make_project(world, total=D("25000"), plan=D("20000")),
        make_project(world, total=D("50000"), plan=None, stage=Project.Stage.CONTINUING),
    ]
    report(world, projects[0], 3, "6000", status=MonthlyReport.Status.APPROVED)
    report(
        world,
        projects[1],
        3,
        "7000",
        status=MonthlyReport.Status.APPROVED,
    )
    return projects


def _names(html: str) -> list[str]:
    body = html.split('id="projects"')[1].split("</tbody>", maxsplit=1)[0]
    return re.findall(r'<a href="/projects/\d+/\?period=[^"]+">([^<]+)</a>', body)


@pytest.mark.parametrize("key", sorted(selectors.PROJECT_SORTS))
def test_each_column_sorts_both_ways(
    client: Client, world: World, three: list[Project], key: str
) -> None:
    client.force_login(world.city_supervisor)
    url = reverse("projects:list")
    up = client.get(url, {"period": "2026-03", "sort": key})
    down = client.get(url, {"period": "2026-03", "sort": f"-{key}"})
    assert up.status_code == down.status_code == 200
    mine = {p.name for p in three}
    shown_up = [n for n in _names(up.content.decode()) if n in mine]
    shown_down = [n for n in _names(down.content.decode()) if n in mine]
    assert sorted(shown_up) == sorted(mine) == sorted(shown_down)
    assert f"sort=-{key}" in up.content.decode()  # the header offers the reverse order


def test_figures_sort_with_empty_values_last_and_the_export_follows(
    client: Client, world: World, three: list[Project]
) -> None:
    client.force_login(world.city_supervisor)
    url = reverse("projects:list")
    names = [p.name for p in three]
    by_rate = [
        n
        for n in _names(client.get(url, {"period": "2026-03", "sort": "-rate"}).content.decode())
        if n in names
    ]
    assert by_rate == [names[1], names[0], names[2]]  # 7000/20000, 6000/30000, no plan last
    by_total = [
        n
        for n in _names(client.get(url, {"period": "2026-03", "sort": "total"}).content.decode())
        if n in names
    ]
    assert by_total == [names[1], names[2], names[0]]
    export = client.get(reverse("projects:export"), {"period": "2026-03", "sort": "-rate"})
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    exported = [row[1] for row in sheet.iter_rows(values_only=True) if row[1] in names]
    assert exported == by_rate
    bad = client.get(url, {"period": "2026-03", "sort": "password", "page": "999", "per_page": "7"})
    assert bad.status_code == 200  # unknown key, page beyond the end, odd size: no error


def test_amounts_show_thousands_separators(
    client: Client, world: World, three: list[Project]
) -> None:
    client.force_login(world.city_supervisor)
    html = client.get(reverse("projects:list"), {"period": "2026-03"}).content.decode()
    assert "90,000.0" in html
    assert "30,000.0" in html


def test_analysis_defaults_to_the_last_locked_month(client: Client, world: World) -> None:
    client.force_login(world.city_supervisor)
    assert selectors.last_locked_month() is None
    services.lock_month(actor=world.city_supervisor, year=2025, month=11, county=world.county_a)
    assert selectors.last_locked_month() == (2025, 11)
    services.lock_month(actor=world.city_supervisor, year=2025, month=10)
    assert selectors.last_locked_month() == (2025, 10)  # a city-wide lock wins
    page = client.get(reverse("projects:analysis"))
    assert "2025年1–10月" in page.content.decode()
    asked = client.get(reverse("projects:analysis"), {"period": "2025-06"})
    assert "2025年1–6月" in asked.content.decode()
