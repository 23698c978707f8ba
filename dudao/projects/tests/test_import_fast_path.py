"""The monthly report import's column-wise fast path (issue 18 item 3) gives exactly what the
cell readers give: the same values for good rows, the same errors (row, column, message) in
the same order for bad ones, the same untouched rows skipped."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
import xlsxwriter

from dudao.core.columns import read_cells
from dudao.core.imports import ImportRejected, RowError, split_untouched
from dudao.core.xlsx import read_table
from dudao.projects import importers
from dudao.projects.importers import reports
from dudao.projects.models import MilestoneNode, MonthlyReport
from dudao.projects.testing import make_project
from dudao.testing import World

HEAD = [
    *importers.REPORT_HEADERS,
    importers.R_FUNDS,
    importers.R_NODE,
    importers.R_NODE_DATE,
    importers.R_PROGRESS,
    importers.R_PROBLEM,
    importers.R_PROBLEM_TEXT,
    importers.R_NEXT,
    importers.R_NOTE,
]
GOOD = [7, "c-7", "", 2026, 3, 12.5, 3, "", None, "施工中", "否", "", "", ""]


def _row(**changes: Any) -> list[Any]:
    row = list(GOOD)
    for name, value in changes.items():
        row[HEAD.index(getattr(importers, name))] = value
    return row


BAD_ROWS = [
    _row(R_INVEST="约100"),
    _row(R_INVEST=-5),
    _row(R_INVEST=1.234),
    _row(R_INVEST=None, R_NOTE="只写了说明"),
    _row(R_INVEST=" ", R_FUNDS=2),
    _row(R_MONTH=13),
    _row(R_MONTH=0),
    _row(R_MONTH="三月"),
    _row(R_YEAR=1999),
    _row(R_YEAR=None),
    _row(R_ID="abc"),
    _row(R_ID=1.5),
    _row(R_ID=-1),
    _row(R_ID=None, R_CODE=""),
    _row(R_ID=None, R_CODE=12345),
    _row(R_CODE="  c-8  "),
    _row(R_FUNDS=-1),
    _row(R_FUNDS="两万"),
    _row(R_FUNDS=1e16),
    _row(R_INVEST=1e16),
    _row(R_NODE="开工", R_NODE_DATE=dt.date(2026, 3, 5)),
    _row(R_NODE="开工"),
    _row(R_NODE="不存在的节点", R_NODE_DATE="2026-03-05"),
    _row(R_NODE_DATE="昨天"),
    _row(R_PROBLEM="也许"),
    _row(R_PROBLEM="是", R_PROBLEM_TEXT="资金未到位"),
    _row(R_PROBLEM=1),
    _row(R_NOTE="说" * 301),
    _row(R_PROGRESS="进" * 300),
    _row(R_PROBLEM_TEXT="问" * 501),
    _row(R_NEXT=42),
    _row(R_NOTE=True),
    _row(R_INVEST=True),
    _row(R_INVEST="1,234.5"),
    [None, None, None, None, None, None, None, None, None, None, "否", None, None, None],
    [9, "c-9", "名称", 2026, 3, None, None, None, None, None, None, None, None, None],
    [9, "c-9", "名称", 2026, 3, None, None, None, None, None, "是", None, None, None],
    _row(R_INVEST=0),
    _row(R_INVEST=2147483648),
    _row(R_ID=2147483648),
]


def _xlsx(rows: list[list[Any]], headers: list[str] = HEAD) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "nan_inf_to_errors": True})
    ws = book.add_worksheet(importers.REPORT_SHEET)
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, headers)
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row):
            if isinstance(value, dt.date):
                ws.write_datetime(i, j, dt.datetime.combine(value, dt.time()), date_format)
            elif value is not None:
                ws.write(i, j, value)
    book.close()
    return buf.getvalue()


def _reference(
    data: bytes, nodes: dict[str, MilestoneNode]
) -> tuple[list[Any], list[int], list[RowError]]:
    """The file read as before the fast path: dict rows, the shared untouched rule, then the
    cell readers row by row."""
    table = read_table(
        data,
        sheet=importers.REPORT_SHEET,
        headers=importers.REPORT_HEADERS,
        optional_headers=importers.REPORT_OPTIONAL,
    )
    filled, skipped = split_untouched(
        table.rows, reports.REPORT_EDITABLE, lambda _row: reports.UNTOUCHED
    )
    errors: list[RowError] = []
    parsed = [reports._parse_report_row(row, errors, nodes) for row in filled]
    return parsed, skipped, errors


def _fast(
    data: bytes, nodes: dict[str, MilestoneNode]
) -> tuple[list[Any], list[int], list[RowError]]:
    cells = read_cells(
        data,
        sheet=importers.REPORT_SHEET,
        headers=importers.REPORT_HEADERS,
        optional_headers=importers.REPORT_OPTIONAL,
    )
    errors: list[RowError] = []
    parsed, skipped = reports._parse_report_rows(cells, errors, nodes)
    return parsed, skipped, errors


@pytest.mark.parametrize("headers", [HEAD, HEAD[:6], [*HEAD[:6], importers.R_NOTE]])
def test_every_row_reads_as_the_cell_readers_read_it(headers: list[str]) -> None:
    nodes = {"开工": MilestoneNode(pk=1, code="start", name="开工", sort_order=1)}
    width = len(headers)
    rows = [r[:width] for r in [GOOD, *BAD_ROWS, GOOD, *reversed(BAD_ROWS), GOOD]]
    data = _xlsx(rows, headers)
    expected = _reference(data, nodes)
    got = _fast(data, nodes)
    assert got == expected
    assert got[2], "the file has bad rows"


def test_a_clean_file_takes_no_row_through_the_cell_readers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []
    slow = reports._parse_report_row

    def counted(row: Any, errors: list[RowError], nodes: Any) -> Any:
        calls.append(row.number)
        return slow(row, errors, nodes)

    monkeypatch.setattr(reports, "_parse_report_row", counted)
    rows = [
        [i, f"c-{i}", "", 2026, 3, i / 4, (i % 3) or None, "", None, "", "", "", "", ""]
        for i in range(1, 200)
    ]
    parsed, skipped, errors = _fast(_xlsx(rows), {})
    assert (len(parsed), skipped, errors, calls) == (199, [], [], [])
    assert parsed[1][5] is not None
    assert parsed[1][5].invest_month == Decimal("0.50")
    assert parsed[1][5].funds_month == Decimal("2")


@pytest.mark.django_db
def test_bad_rows_in_a_large_file_are_refused_with_row_and_column(world: World) -> None:
    p = make_project(world)
    good = [[p.pk, "", "", 2026, 3, 1, "", "", None, "", "", "", "", ""]]
    bad = [
        [p.pk, "", "", 2026, 3, "约100", "", "", None, "", "", "", "", ""],
        [p.pk, "", "", 2026, 13, 1, "", "", None, "", "", "", "", ""],
        [p.pk, "", "", 2026, 4, 1, -2, "", None, "", "也许", "", "", ""],
    ]
    data = _xlsx(good + bad)
    before = MonthlyReport.objects.count()
    with pytest.raises(ImportRejected) as exc:
        importers.import_reports(
            data, filename="t.xlsx", actor=world.county_a_reporter, dry_run=False
        )
    assert [str(e) for e in exc.value.errors] == [
        "第3行「本月完成投资（万元）」列：应为数字，实为「约100」。",
        "第4行「月份」列：月份应为 1–12。",
        "第5行「存在问题（是/否）」列：应填“是”或“否”，实为「也许」。",
        "第5行「本月资金到位（万元）」列：不能小于 0，实为 -2.0。",
    ]
    assert MonthlyReport.objects.count() == before
