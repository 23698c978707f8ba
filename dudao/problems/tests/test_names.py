"""Issue 21 item 4: one display name per organisation kind (`dudao.orgs.rules.display_name`),
the same on the ledger page, in its Excel export and in the API: a county reads "甲县" (its
place), a department its full name."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from dudao.orgs.models import Organisation
from dudao.orgs.rules import display_name
from dudao.problems.exports import LEDGER_COLUMNS
from dudao.problems.tests.factories import make_problem
from dudao.testing import World

pytestmark = pytest.mark.django_db


def test_display_name_by_kind(world: World) -> None:
    Organisation.objects.filter(pk=world.county_a.pk).update(short_name="甲县")
    Organisation.objects.filter(pk=world.county_a_drc.pk).update(short_name="甲县发改委")
    world.county_a.refresh_from_db()
    world.county_a_drc.refresh_from_db()
    assert display_name(world.county_a) == "甲县"  # a government: its place
    assert world.county_a.display_name == "甲县"  # the model property is the same rule
    assert display_name(world.county_a_drc) == "甲县发展和改革委员会"  # a unit: full name
    assert display_name(world.county_b) == "乙县人民政府"  # no short name: the full name
    assert display_name(None) == ""


def test_the_page_the_export_and_the_api_name_the_county_alike(
    client: Client, world: World
) -> None:
    Organisation.objects.filter(pk=world.county_a.pk).update(short_name="甲县")
    problem = make_problem(world, world.county_a_drc, title="命名一致的问题")
    client.force_login(world.city_supervisor)
    html = client.get(reverse("problems:list")).content.decode()
    row = html.split(f">{problem.code}</a>")[1].split("</tr>")[0]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
    county_col = [c.header for c in LEDGER_COLUMNS].index("所在县（市、区）")
    unit_col = [c.header for c in LEDGER_COLUMNS].index("责任单位")
    # the split cut the code cell (column 0): page column n is cells[n - 1]
    assert cells[county_col - 1].strip() == "甲县"
    assert cells[unit_col - 1].strip() == "甲县发展和改革委员会"

    export = client.get(reverse("problems:export"))
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_name("问题台账")
    exported = next(r for r in sheet.to_python() if r[0] == problem.code)
    assert (exported[county_col], exported[unit_col]) == ("甲县", "甲县发展和改革委员会")

    item = client.get(reverse("api:problem_detail", args=[problem.pk])).json()
    assert (item["county"], item["responsible_org"]) == ("甲县", "甲县发展和改革委员会")
