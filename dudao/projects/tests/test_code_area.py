"""Issue 21 item 4: the area part of the 24-character national project code must belong to the
project's county — its GB/T 2260 code or a 功能区 code linked to it; a city- or province-level
approval may carry the city's or province's code (the documented exception). Refused with a
clear Chinese message on the service, the page's path, and the import (row and column)."""

from __future__ import annotations

import pytest

from dudao.core.exceptions import DomainError
from dudao.core.imports import ImportRejected
from dudao.orgs.models import Organisation
from dudao.projects import importers, services
from dudao.projects.models import AreaCode, Project, ProjectCategory
from dudao.projects.testing import make_project
from dudao.projects.tests.test_importers import xlsx
from dudao.testing import World

pytestmark = pytest.mark.django_db

# Real GB/T 2260 codes (loaded by regions 0002): 郑州市 410100, 中原区 410102, 二七区 410103.
A_AREA, B_AREA, CITY, PROVINCE = "410102", "410103", "410100", "410000"


@pytest.fixture
def placed(world: World) -> World:
    Organisation.objects.filter(pk=world.county_a.pk).update(region_id=A_AREA, short_name="甲县")
    Organisation.objects.filter(pk=world.county_b.pk).update(region_id=B_AREA, short_name="乙县")
    return world


def _create(world: World, code: str, county: Organisation) -> Project:
    return services.create_project(
        actor=world.city_supervisor,
        code=code,
        name="测试代码项目",
        category=ProjectCategory.objects.get(code="industry"),
        stage=Project.Stage.NEW,
        level=Project.Level.COUNTY,
        county=county,
        total_investment=1000,
    )


def test_another_countys_area_code_is_refused(placed: World) -> None:
    with pytest.raises(DomainError) as exc:
        _create(placed, f"2509-{A_AREA}-89-01-544060", placed.county_b)
    assert exc.value.field == "code"
    assert exc.value.message == (
        f"项目代码“2509-{A_AREA}-89-01-544060”的地区代码 {A_AREA} 属于甲县，与项目所在县"
        "（市、区）“乙县”不符。地区代码应为乙县的行政区划代码或其功能区代码；市级、省级部门"
        "审批（核准、备案）的项目可使用所在市、省的代码。"
    )
    assert not Project.objects.filter(name="测试代码项目").exists()


def test_own_city_and_province_codes_are_accepted(placed: World) -> None:
    for n, area in enumerate((B_AREA, CITY, PROVINCE), start=1):
        project = _create(placed, f"2509-{area}-89-01-54406{n}", placed.county_b)
        assert project.code_area == area


def test_a_region_outside_the_county_is_refused(placed: World) -> None:
    # 410200 开封市 is neither 乙县 nor the city or province it lies in
    with pytest.raises(DomainError, match="地区代码 410200 不在项目所在县（市、区）“乙县”内"):
        _create(placed, "2509-410200-89-01-544060", placed.county_b)


def test_a_functional_area_code_belongs_to_its_county(placed: World) -> None:
    AreaCode.objects.create(
        code="419911", name="甲县产业集聚区", kind=AreaCode.Kind.FUNCTIONAL, county=placed.county_a
    )
    assert _create(placed, "2509-419911-89-01-544061", placed.county_a).code_area == "419911"
    with pytest.raises(DomainError, match="地区代码 419911 属于甲县"):
        _create(placed, "2509-419911-89-01-544062", placed.county_b)


def test_moving_a_project_to_another_county_is_checked(placed: World) -> None:
    project = _create(placed, f"2509-{A_AREA}-89-01-544060", placed.county_a)
    with pytest.raises(DomainError, match="属于甲县"):
        services.update_project(
            actor=placed.city_supervisor,
            project=project,
            version=project.version,
            county=placed.county_b,
        )


def test_an_unrelated_edit_of_an_older_mismatched_project_is_not_refused(placed: World) -> None:
    project = make_project(placed)  # the unlinked test 功能区 code: accepted for any county
    Project.objects.filter(pk=project.pk).update(code=f"2509-{B_AREA}-89-01-544099")
    project.refresh_from_db()
    updated = services.update_project(
        actor=placed.city_supervisor, project=project, version=project.version, name="改名"
    )
    assert updated.name == "改名"


def test_the_import_names_row_and_column(placed: World) -> None:
    head = list(importers.PROJECT_HEADERS)
    rows = [[f"2601-{A_AREA}-38-03-700001", "乙县项目", "产业", "新开工", "市重点", "乙县", 1]]
    with pytest.raises(ImportRejected) as exc:
        importers.import_projects(
            xlsx(rows, headers=head, sheet="项目"),
            filename="p.xlsx",
            actor=placed.city_supervisor,
            dry_run=False,
        )
    errors = exc.value.errors
    assert any(e.row == 2 and "属于甲县" in e.message for e in errors)
