"""Every import that used to be command-line only has a web upload with the same 试导入 →
确认导入 flow (dudao.core.import_views): the province's tour results, supervision task lists,
investment deals and funds, the project registry. For each: a happy path (dry run, then a
confirm that posts only the token), an error path (row/column errors, nothing written, nothing
kept), the template download, and the policy (who may open the page)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dudao.core import importflow
from dudao.inspections.models import ProvincialResult
from dudao.inspections.tests.test_views import provincial_file
from dudao.investment.models import Deal, DealFunding, Stage
from dudao.investment.tests.factories import make_deal, walk
from dudao.investment.tests.test_imports import DEAL_HEADERS, FUND_HEADERS, _book, _deal_row
from dudao.parks.models import Park
from dudao.projects.models import Project
from dudao.projects.testing import TEST_AREA, ensure_area_code
from dudao.projects.tests.test_importers import xlsx
from dudao.stats.models import Indicator
from dudao.supervision.models import SupervisionTask
from dudao.supervision.tests.test_importers import _file as task_file
from dudao.supervision.tests.test_importers import _row as task_row
from dudao.testing import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _staging(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path


@dataclass
class Case:
    url: str
    actor: str  # World attribute
    refused: str  # a business role the policy does not let in
    model: type[Model]
    good: Callable[[World], bytes]
    bad_error: str  # text of a row/column error the bad file produces
    bad: Callable[[World], bytes]


def _last_month() -> str:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")


def _funds(world: World) -> bytes:
    deal = walk(world, make_deal(world), Stage.SIGNED)
    return _book(FUND_HEADERS, [[deal.code, _last_month(), 100, "银行进账单", ""]])


def _project(world: World, total: object = 12345) -> bytes:
    ensure_area_code()
    from dudao.projects import importers

    head = [*importers.PROJECT_HEADERS, importers.P_START]
    code = f"2601-{TEST_AREA}-38-03-700009"
    row = [code, "网页导入项目", "产业", "续建", "市重点", "甲县人民政府"]
    return xlsx([[*row, total, "2026-01-10"]], headers=head, sheet="项目")


TOUR = "全省产业集聚区观摩活动"
CASES = {
    "provincial": Case(
        "inspections:provincial_import",
        "city_supervisor",
        "county_a_reporter",
        ProvincialResult,
        lambda w: provincial_file([[2025, TOUR, "示范市高新区", 2, 18, 90, ""]]),
        "名次 9 大于参评单位数 5",
        lambda w: provincial_file([[2025, TOUR, "示范市高新区", 9, 5, 90, ""]]),
    ),
    "tasks": Case(
        "supervision:task_import",
        "city_supervisor",
        "county_a_reporter",
        SupervisionTask,
        lambda w: task_file([task_row()]),
        "NOPE",
        lambda w: task_file([task_row(牵头单位编码="NOPE")]),
    ),
    "deals": Case(
        "investment:deals_import",
        "county_a_reporter",
        "judge",
        Deal,
        lambda w: _book(DEAL_HEADERS, [_deal_row("ZS-901", w.county_a_drc.code)]),
        "签约类型",
        lambda w: _book(DEAL_HEADERS, [_deal_row("ZS-902", w.county_a_drc.code, 签约类型="乱填")]),
    ),
    "funds": Case(
        "investment:funds_import",
        "county_a_reporter",
        "judge",
        DealFunding,
        _funds,
        "月份",
        lambda w: _book(FUND_HEADERS, [["ZS2099-99999", "2026/13", 10, "银行进账单", ""]]),
    ),
    "parks": Case(
        "parks:import",
        "city_supervisor",
        "county_a_reporter",
        Park,
        lambda w: xlsx([["P-WEB", "网页导入园区"]], headers=["园区编码", "园区名称"], sheet="园区"),
        "“火星园区”",
        lambda w: xlsx(
            [["P-BAD", "园区", "火星园区"]],
            headers=["园区编码", "园区名称", "园区类型"],
            sheet="园区",
        ),
    ),
    "catalogue": Case(
        "stats:catalogue_import",
        "city_supervisor",
        "county_a_reporter",
        Indicator,
        lambda w: xlsx(
            [["web_ind", "网页导入指标", "个"]], headers=["指标代码", "指标名称", "计量单位"]
        ),
        "“流量型”",
        lambda w: xlsx(
            [["web_bad", "网页指标", "个", "流量型"]],
            headers=["指标代码", "指标名称", "计量单位", "类型"],
        ),
    ),
    "projects": Case(
        "projects:registry_import",
        "county_a_reporter",
        "judge",
        Project,
        _project,
        "总投资",
        lambda w: _project(w, total="约五亿"),
    ),
}


def _upload(client: Client, url: str, data: bytes) -> Any:
    f = io.BytesIO(data)
    f.name = "导入.xlsx"
    return client.post(reverse(url), {"file": f})


@pytest.mark.parametrize("name", CASES)
def test_dry_run_then_confirm_without_picking_the_file_again(
    client: Client, world: World, name: str
) -> None:
    case = CASES[name]
    client.force_login(getattr(world, case.actor))
    data = case.good(world)
    before = case.model._default_manager.count()
    assert client.get(reverse(case.url)).status_code == 200
    dry = _upload(client, case.url, data)
    assert "将新增 1 条" in dry.content.decode()
    assert case.model._default_manager.count() == before
    token = dry.context["flow"].token
    assert token
    done = client.post(reverse(case.url), {"token": token})
    assert "导入完成" in done.content.decode()
    assert case.model._default_manager.count() == before + 1
    again = client.post(reverse(case.url), {"token": token})
    assert "已经导入过" in again.content.decode()
    assert case.model._default_manager.count() == before + 1


@pytest.mark.parametrize("name", CASES)
def test_errors_are_listed_and_nothing_is_written_or_kept(
    client: Client, world: World, name: str
) -> None:
    case = CASES[name]
    client.force_login(getattr(world, case.actor))
    before = case.model._default_manager.count()
    page = _upload(client, case.url, case.bad(world))
    body = page.content.decode()
    assert "未写入任何数据" in body
    assert case.bad_error in body
    assert page.context["flow"].token == ""
    assert case.model._default_manager.count() == before
    root = importflow.staging_root()
    assert not root.exists() or not any(root.iterdir())
    garbage = _upload(client, case.url, b"not a workbook")
    assert garbage.status_code == 200
    assert garbage.context["flow"].posted


@pytest.mark.parametrize("name", CASES)
def test_template_download_and_policy(client: Client, world: World, name: str) -> None:
    case = CASES[name]
    client.force_login(getattr(world, case.actor))
    response = client.get(reverse(f"{case.url}_template"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    headers = [c.value for c in book.worksheets[0][1]]
    assert headers
    assert all(isinstance(h, str) and h for h in headers)
    assert "填报说明" in book.sheetnames or name == "projects"
    page = client.get(reverse(case.url))
    assert "下载导入模板" in page.content.decode()
    client.force_login(getattr(world, case.refused))
    assert client.get(reverse(case.url)).status_code == 403
    assert client.get(reverse(f"{case.url}_template")).status_code == 403


def test_the_provincial_page_links_the_upload_not_a_command(client: Client, world: World) -> None:
    client.force_login(world.city_supervisor)
    body = client.get(reverse("inspections:provincial")).content.decode()
    assert "dudao import" not in body
    assert reverse("inspections:provincial_import") in body
    client.force_login(world.county_a_reporter)
    body = client.get(reverse("inspections:provincial")).content.decode()
    assert "dudao import" not in body
    assert reverse("inspections:provincial_import") not in body


@pytest.mark.parametrize(
    ("url", "filled"),
    [
        ("parks:import", {"园区编码": "P-TPL", "园区名称": "模板园区", "园区类型": "产业集聚区"}),
        (
            "stats:catalogue_import",
            {"指标代码": "tpl_ind", "指标名称": "模板指标", "计量单位": "亩"},
        ),
    ],
)
def test_the_downloaded_template_has_chinese_headers_and_imports_once_filled(
    client: Client, world: World, url: str, filled: dict[str, str]
) -> None:
    """Parks and the indicator catalogue used to take English column codes: the template's
    header row is Chinese now, and the filled template goes through the page."""
    client.force_login(world.city_supervisor)
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse(f"{url}_template")).content))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert all(isinstance(h, str) and not h.isascii() for h in headers), headers
    sheet.append([filled.get(str(h)) for h in headers])
    buf = io.BytesIO()
    book.save(buf)
    dry = _upload(client, url, buf.getvalue())
    assert "将新增 1 条" in dry.content.decode()
    done = client.post(reverse(url), {"token": dry.context["flow"].token})
    assert "导入完成" in done.content.decode()
