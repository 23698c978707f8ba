"""Excel round trip: template → upload (dry run, commit), every refusal with nothing written."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from dudao.audit.models import AuditEvent
from dudao.core.imports import MAX_IMPORT_BYTES, ImportRejected, ImportReport
from dudao.projects import importers
from dudao.projects.models import MonthlyReport, Project
from dudao.projects.testing import TEST_AREA, ensure_area_code, make_project, report
from dudao.testing import World

pytestmark = pytest.mark.django_db
D = Decimal
HEAD = [*list(importers.REPORT_HEADERS), importers.R_NOTE]


def xlsx(
    rows: list[list[object]],
    *,
    headers: list[str] = HEAD,
    sheet: str = "月报",
    extra_sheet: str | None = None,
    merge: bool = False,
    formula: bool = False,
) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = book.add_worksheet(sheet)
    ws.write_row(0, 0, headers)
    for i, row in enumerate(rows, start=1):
        ws.write_row(i, 0, row)
    if merge:
        ws.merge_range(5, 0, 5, 2, "合并")
    if formula:
        ws.write_formula(1, 5, "=1+1")
    if extra_sheet:
        book.add_worksheet(extra_sheet).write(0, 0, "x")
    book.close()
    return buf.getvalue()


def run(world: World, data: bytes, *, dry_run: bool = False, actor: Any = None) -> ImportReport:
    return importers.import_reports(
        data, filename="t.xlsx", actor=actor or world.county_a_reporter, dry_run=dry_run
    )


def errors_of(world: World, data: bytes) -> list[str]:
    before = (MonthlyReport.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ImportRejected) as exc:
        run(world, data)
    assert (MonthlyReport.objects.count(), AuditEvent.objects.count()) == before
    return [str(e) for e in exc.value.errors]


@pytest.mark.parametrize("many", [500, 0], ids=["by-id", "by-scope"])
def test_template_round_trip_dry_run_commit_and_idempotent(
    world: World, many: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importers, "MANY", many)  # 0: every lookup through the scope
    p1 = make_project(world)
    p2 = make_project(world)
    make_project(world, county=world.county_b)  # not in the reporter's template
    report(world, p1, 2, "300")
    template = importers.report_template(world.county_a_reporter, 2026, 3)
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(template)).get_sheet_by_name("月报").to_python()
    )
    assert {int(float(str(r[0]))) for r in rows[1:]} == {p1.pk, p2.pk}
    data = xlsx(
        [
            [p1.pk, p1.code, p1.name, 2026, 3, 100, ""],
            [p2.pk, p2.code, p2.name, 2026, 3, "250.5", ""],
        ]
    )
    dry = run(world, data, dry_run=True)
    assert (dry.created, dry.updated) == (2, 0)
    assert not MonthlyReport.objects.filter(month=3).exists()
    done = run(world, data)
    assert done.created == 2
    r1 = MonthlyReport.objects.get(project=p1, month=3)
    assert (r1.invest_ytd, r1.status) == (D("400"), MonthlyReport.Status.DRAFT)
    events = AuditEvent.objects.count()
    again = run(world, data)
    assert again.changed == 0
    assert "未做任何修改" in again.summary()
    assert AuditEvent.objects.count() == events


def test_code_alone_identifies_the_project(world: World) -> None:
    p = make_project(world)
    run(world, xlsx([["", p.code, "", 2026, 4, 10, ""]]))
    assert MonthlyReport.objects.get(project=p, month=4).invest_month == D("10")


@pytest.mark.parametrize("many", [500, 0], ids=["by-id", "by-scope"])
def test_unknown_code_and_other_county_are_refused(
    world: World, many: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importers, "MANY", many)  # 0: every lookup through the scope
    other = make_project(world, county=world.county_b)
    errs = errors_of(
        world,
        xlsx(
            [
                ["", f"2601-{TEST_AREA}-01-03-999999", "", 2026, 3, 1, ""],
                ["", other.code, "", 2026, 3, 1, ""],
            ]
        ),
    )
    assert len(errs) == 2
    assert all("不存在或不在您的数据范围内" in e for e in errs)


def test_text_and_negative_values_are_refused_with_row_and_column(world: World) -> None:
    p = make_project(world)
    q = make_project(world)
    errs = errors_of(
        world, xlsx([[p.pk, "", "", 2026, 3, "约100", ""], [q.pk, "", "", 2026, 3, -5, ""]])
    )
    assert errs == [
        "第2行「本月完成投资（万元）」列：应为数字，实为「约100」。",
        "第3行「本月完成投资（万元）」列：不能小于 0，实为 -5.0。",
    ]


@pytest.mark.parametrize("many", [500, 0], ids=["by-id", "by-scope"])
def test_business_rules_apply(world: World, many: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importers, "MANY", many)  # 0: every lookup through the scope
    p = make_project(world)  # plan 20000 → jump threshold 8000
    errs = errors_of(world, xlsx([[p.pk, "", "", 2026, 3, 9000, ""]]))
    assert "请在“说明”中注明原因" in errs[0]
    assert "「说明」" in errs[0]
    run(world, xlsx([[p.pk, "", "", 2026, 3, 9000, "设备款集中支付"]]))


def test_duplicate_rows_and_submitted_reports(world: World) -> None:
    p = make_project(world)
    q = make_project(world)
    report(world, q, 3, "5", status=MonthlyReport.Status.SUBMITTED)
    errs = errors_of(
        world,
        xlsx(
            [
                [p.pk, "", "", 2026, 3, 1, ""],
                [p.pk, "", "", 2026, 3, 2, ""],
                [q.pk, "", "", 2026, 3, 7, ""],
            ]
        ),
    )
    assert any("重复" in e for e in errs)
    assert any("已报送" in e for e in errs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"merge": True}, "合并单元格"),
        ({"extra_sheet": "Sheet2"}, "多余的工作表"),
        ({"formula": True}, "公式"),
        ({"sheet": "Sheet1"}, "找不到工作表"),
        ({"headers": ["项目代码", "年度"]}, "缺少列"),
    ],
)
def test_bad_workbooks(world: World, kwargs: dict[str, object], message: str) -> None:
    p = make_project(world)
    data = xlsx([[p.pk, "", "", 2026, 3, 1, ""]], **kwargs)  # type: ignore[arg-type]
    assert any(message in e for e in errors_of(world, data))


def test_empty_oversized_and_renamed_files(world: World) -> None:
    assert "文件为空" in errors_of(world, b"")[0]
    assert "文件过大" in errors_of(world, b"PK\x03\x04" + b"0" * (MAX_IMPORT_BYTES + 1))[0]
    assert "不是 Excel" in errors_of(world, "项目代码,月份\n".encode() * 10)[0]
    assert "没有数据行" in errors_of(world, xlsx([]))[0]


def test_locked_month_is_refused(world: World) -> None:
    from dudao.projects import services

    p = make_project(world)
    services.lock_month(actor=world.city_supervisor, year=2026, month=3, county=world.county_a)
    assert "已锁定" in errors_of(world, xlsx([[p.pk, "", "", 2026, 3, 1, ""]]))[0]


def test_leader_cannot_import(world: World) -> None:
    with pytest.raises(ImportRejected, match="填报员"):
        run(world, xlsx([]), actor=world.city_leader)


@pytest.mark.parametrize("many", [500, 0], ids=["by-id", "by-scope"])
def test_earlier_month_import_rederives_later_reports(
    world: World, many: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importers, "MANY", many)  # 0: every lookup through the scope
    p = make_project(world)
    report(world, p, 1, "100")
    report(world, p, 2, "100")
    run(world, xlsx([[p.pk, "", "", 2026, 1, 300, ""]]))
    assert MonthlyReport.objects.get(project=p, month=2).invest_ytd == D("400")


def test_projects_import_creates_then_updates_then_is_idempotent(world: World) -> None:
    ensure_area_code()
    head = [*list(importers.PROJECT_HEADERS), importers.P_START]
    code = f"2601-{TEST_AREA}-38-03-700001"
    row = [code, "导入测试项目", "产业", "续建", "市重点", "甲县人民政府", 12345, "2026-01-10"]
    data = xlsx([row], headers=head, sheet="项目")
    r = importers.import_projects(
        data, filename="p.xlsx", actor=world.county_a_reporter, dry_run=False
    )
    assert r.created == 1
    p = Project.objects.get(code=code)
    assert (p.county_id, p.code_year, p.stage) == (world.county_a.pk, 2026, "continuing")
    row[6] = 20000
    r = importers.import_projects(
        xlsx([row], headers=head, sheet="项目"),
        filename="p.xlsx",
        actor=world.county_a_reporter,
        dry_run=False,
    )
    assert r.updated == 1
    r = importers.import_projects(
        xlsx([row], headers=head, sheet="项目"),
        filename="p.xlsx",
        actor=world.county_a_reporter,
        dry_run=False,
    )
    assert r.changed == 0


def test_projects_import_refuses_other_county_and_bad_codes(world: World) -> None:
    head = list(importers.PROJECT_HEADERS)
    rows = [
        ["2601-999999-38-03-700001", "甲", "产业", "新开工", "市重点", "甲县人民政府", 1],
        [f"2601-{TEST_AREA}-38-03-700002", "乙", "产业", "新开工", "市重点", "乙县人民政府", 1],
    ]
    ensure_area_code()
    with pytest.raises(ImportRejected) as exc:
        importers.import_projects(
            xlsx(rows, headers=head, sheet="项目"),
            filename="p.xlsx",
            actor=world.county_a_reporter,
            dry_run=False,
        )
    text = " ".join(str(e) for e in exc.value.errors)
    assert "地区代码 999999" in text
    assert "不在您的数据范围内" in text
    assert not Project.objects.filter(name__in=["甲", "乙"]).exists()
