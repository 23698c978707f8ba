"""`dudao import deals FILE` and `dudao import funds FILE`: all or nothing, row-and-column
errors in Chinese, the same file twice changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from dudao.core.imports import ImportRejected
from dudao.core.xlsx import Column, Sheet, workbook_bytes
from dudao.investment import services
from dudao.investment.importers import (
    DEAL_OPTIONAL,
    DEAL_REQUIRED,
    FUND_OPTIONAL,
    FUND_REQUIRED,
    import_deals,
    import_funds,
)
from dudao.investment.models import Deal, DealFunding, Stage
from dudao.investment.tests.factories import make_deal, walk
from dudao.testing import World

pytestmark = pytest.mark.django_db


def _book(headers: tuple[str, ...], rows: list[list[object]]) -> bytes:
    return workbook_bytes([Sheet(name="数据", columns=[Column(h, 14) for h in headers], rows=rows)])


DEAL_HEADERS = (*DEAL_REQUIRED, *DEAL_OPTIONAL)
FUND_HEADERS = (*FUND_REQUIRED, *FUND_OPTIONAL)


def _deal_row(ref: str, org: str, **kw: object) -> list[object]:
    values: dict[str, object] = {
        "原台账编号": ref,
        "项目名称": f"导入项目{ref}",
        "投资方": "示范集团",
        "责任单位编码": org,
        "线索日期": "2026-01-05",
        "资金来源": "省外",
        "签约类型": "新签项目",
        "行业代码": "3411",
        "合同投资额（万元）": 12000,
        "固定资产投资（万元）": 10000,
        "用地面积（亩）": 40,
        "达产后年产值（万元）": 15000,
        "达产后年税收（万元）": 1300,
        "包联领导": "李副县长",
    }
    values.update(kw)
    return [values[h] for h in DEAL_HEADERS]


def test_deals_import_creates_then_changes_nothing(world: World) -> None:
    code = world.county_a_drc.code
    data = _book(DEAL_HEADERS, [_deal_row("ZS-001", code), _deal_row("ZS-002", code)])
    report = import_deals(data, filename="台账.xlsx", actor=world.county_a_reporter, dry_run=False)
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    deal = Deal.objects.get(external_ref="ZS-001")
    assert (deal.stage, deal.county, deal.land_mu, deal.leader) == (
        Stage.LEAD,
        world.county_a,
        Decimal("40"),
        "李副县长",
    )
    assert deal.events.get().action == "import"
    again = import_deals(data, filename="台账.xlsx", actor=world.county_a_reporter, dry_run=False)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = _book(DEAL_HEADERS, [_deal_row("ZS-001", code, **{"合同投资额（万元）": 13000})])
    report = import_deals(
        changed, filename="台账.xlsx", actor=world.county_a_reporter, dry_run=False
    )
    assert report.updated == 1
    assert Deal.objects.get(external_ref="ZS-001").contract_investment == Decimal("13000")


def test_deals_import_with_bad_rows_writes_nothing(world: World) -> None:
    code = world.county_a_drc.code
    rows = [
        _deal_row("ZS-001", code),
        _deal_row("ZS-002", world.county_b_drc.code),  # another county
        _deal_row("ZS-003", code, **{"资金来源": "火星"}),
        _deal_row("ZS-004", code, **{"用地面积（亩）": "约40"}),
        _deal_row("ZS-001", code),  # duplicate
        _deal_row("ZS-005", code, **{"行业代码": "C34"}),
    ]
    with pytest.raises(ImportRejected) as exc:
        import_deals(
            _book(DEAL_HEADERS, rows),
            filename="台账.xlsx",
            actor=world.county_a_reporter,
            dry_run=False,
        )
    where = {(e.row, e.column) for e in exc.value.errors}
    assert where == {
        (3, "责任单位编码"),
        (4, "资金来源"),
        (5, "用地面积（亩）"),
        (6, "原台账编号"),
        (7, "行业代码"),
    }
    assert "不在您的数据范围内" in str(exc.value.errors[0])
    assert not Deal.objects.exists()


def _fund_row(code: str, month: str, amount: object, note: str = "") -> list[object]:
    return [code, month, amount, "银行进账单", note]


def test_funds_import_all_or_nothing_and_idempotent(world: World) -> None:
    deal = walk(world, make_deal(world), Stage.SIGNED)  # contract 50,000 万元
    lead = make_deal(world)
    last = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    earlier = (timezone.localdate().replace(day=1) - dt.timedelta(days=40)).strftime("%Y-%m")
    future = (timezone.localdate() + dt.timedelta(days=40)).strftime("%Y-%m")
    bad = [
        _fund_row(deal.code, earlier, 1000),
        _fund_row(lead.code, last, 10),  # not signed
        _fund_row(deal.code, future, 10),  # future month
        _fund_row("ZS2099-99999", last, 10),  # unknown
        _fund_row(deal.code, "2026/13", 10),  # bad month
        _fund_row(deal.code, last, -5),
        _fund_row(deal.code, earlier, 1),  # duplicate month
    ]
    with pytest.raises(ImportRejected) as exc:
        import_funds(
            _book(FUND_HEADERS, bad),
            filename="资金.xlsx",
            actor=world.county_a_reporter,
            dry_run=False,
        )
    where = {(e.row, e.column) for e in exc.value.errors}
    assert where == {
        (3, "项目编号"),
        (4, "月份"),
        (5, "项目编号"),
        (6, "月份"),
        (7, "到位资金（万元）"),
        (8, "月份"),
    }
    assert not DealFunding.objects.exists()
    over = [_fund_row(deal.code, earlier, 30000), _fund_row(deal.code, last, 25000)]
    with pytest.raises(ImportRejected, match="超过合同投资额"):
        import_funds(
            _book(FUND_HEADERS, over),
            filename="资金.xlsx",
            actor=world.county_a_reporter,
            dry_run=False,
        )
    good = [_fund_row(deal.code, earlier, 30000), _fund_row(deal.code, last, 25000, "增资")]
    report = import_funds(
        _book(FUND_HEADERS, good),
        filename="资金.xlsx",
        actor=world.county_a_reporter,
        dry_run=False,
    )
    assert (report.created, report.unchanged) == (2, 0)
    report = import_funds(
        _book(FUND_HEADERS, good),
        filename="资金.xlsx",
        actor=world.county_a_reporter,
        dry_run=False,
    )
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    row = DealFunding.objects.get(deal=deal, month__startswith=earlier)
    services.verify_funds(actor=world.city_supervisor, funding=row, version=row.version)
    changed = [_fund_row(deal.code, earlier, 29000), _fund_row(deal.code, last, 25000, "增资")]
    with pytest.raises(ImportRejected, match="已核实"):
        import_funds(
            _book(FUND_HEADERS, changed),
            filename="资金.xlsx",
            actor=world.county_a_reporter,
            dry_run=False,
        )


def test_the_cli_runs_the_registered_importers(world: World, tmp_path: Path) -> None:
    path = tmp_path / "台账.xlsx"
    path.write_bytes(_book(DEAL_HEADERS, [_deal_row("ZS-009", world.county_a_drc.code)]))
    call_command("import", "deals", str(path), "--as", world.county_a_reporter.username)
    assert Deal.objects.filter(external_ref="ZS-009").exists()
    bad = tmp_path / "资金.xlsx"
    bad.write_bytes(_book(FUND_HEADERS, [_fund_row("ZS2099-00001", "2026-01", 1)]))
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import", "funds", str(bad), "--as", world.county_a_reporter.username)
