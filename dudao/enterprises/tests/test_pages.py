"""The pages: the profile explains the grade item by item with the factor policies of its grade,
missing figures read 缺失; the grade list filters by park and exports what it shows; another
county's enterprise is 404 like a missing one."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from dudao.core.roles import Role
from dudao.enterprises import services
from dudao.enterprises.models import Enterprise
from dudao.enterprises.tests.helpers import enterprise
from dudao.testing import World, add_user

pytestmark = pytest.mark.django_db
YEAR = 2025


def _evaluated(world: World) -> list[Enterprise]:
    regime = services.save_regime(
        actor=world.city_supervisor,
        year=YEAR,
        name="示范市2025年度亩均效益评价办法（测试）",
        items=[
            {
                "scale": "above",
                "metric": "tax_per_mu",
                "weight": Decimal(100),
                "benchmark": "fixed",
                "benchmark_value": Decimal("24.097"),
            },
            {"scale": "above", "metric": "tax_per_power", "weight": Decimal(10)},
        ],
    )
    services.save_factor_policies(
        actor=world.city_supervisor,
        regime=regime,
        rows=[
            {"grade": "A", "factor": "用地", "measure": "优先保障新增用地指标"},
            {"grade": "D", "factor": "电价", "measure": "执行差别化电价"},
        ],
    )
    firms = []
    for i in range(4):
        firm = enterprise(world, 40 + i, code="P-A" if i < 3 else "P-B")
        services.save_annual_values(
            actor=world.city_supervisor,
            enterprise=firm,
            year=YEAR,
            values={"tax": (Decimal(1200 - 200 * i), "税务部门")},
        )
        firms.append(firm)
    services.run_evaluation(actor=world.city_supervisor, year=YEAR)
    return firms


def test_the_profile_explains_the_grade_and_prints_its_policies(
    world: World, client: Client
) -> None:
    firms = _evaluated(world)
    client.force_login(world.city_supervisor)
    page = client.get(reverse("enterprises:detail", args=[firms[0].pk])).content.decode()
    assert "A类（优先发展类）" in page
    assert "29.88" not in page  # weight 100 here: 24.0 ÷ 24.097 × 100 = 99.60
    assert "99.60" in page
    assert "数据缺失，记0分" in page  # no power figure
    assert "优先保障新增用地指标" in page
    assert "执行差别化电价" not in page
    assert "缺失" in page
    assert "税务部门" in page


def test_the_grade_list_filters_by_park_and_exports_what_it_shows(
    world: World, client: Client
) -> None:
    firms = _evaluated(world)
    client.force_login(world.city_supervisor)
    park_a = str(firms[0].park_id)
    page = client.get(reverse("enterprises:grades"), {"park": park_a}).content.decode()
    assert firms[0].name in page
    assert firms[3].name not in page
    export = client.get(reverse("enterprises:grades_export"), {"park": park_a, "grade": "A"})
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == [firms[0].name]


def test_another_countys_enterprise_is_404(world: World, client: Client) -> None:
    firms = _evaluated(world)
    outsider = add_user(world, world.county_b, Role.REPORTER)
    client.force_login(outsider)
    assert client.get(reverse("enterprises:detail", args=[firms[0].pk])).status_code == 404
    assert client.get(reverse("enterprises:detail", args=[firms[3].pk])).status_code == 200
    listed = client.get(reverse("api:enterprises_list")).json()
    assert [e["id"] for e in listed["items"]] == [firms[3].pk]
