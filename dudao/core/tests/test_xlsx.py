"""Excel uploads are read safely (dudao.core.xlsx): every refusal names the row and column."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from dudao.core.imports import ImportRejected, RowError, column_letter
from dudao.core.xlsx import (
    Column,
    Row,
    Sheet,
    cell_date,
    cell_decimal,
    cell_int,
    cell_text,
    read_table,
    workbook_bytes,
    xlsx_response,
)

HEADERS = ("项目代码", "本月完成投资（万元）")


def _book(rows: list[list[object]], *, sheets: tuple[str, ...] = ("月报",)) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = sheets[0]
    for row in rows:
        first.append(row)
    for name in sheets[1:]:
        book.create_sheet(name)
    return book


def _bytes(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _errors(data: bytes, **kwargs: object) -> list[str]:
    with pytest.raises(ImportRejected) as caught:
        read_table(data, sheet="月报", headers=HEADERS, **kwargs)  # type: ignore[arg-type]
    return [str(e) for e in caught.value.errors]


def test_it_reads_rows_by_header_with_excel_row_numbers_and_skips_blank_rows() -> None:
    data = _bytes(_book([[*HEADERS, "备注"], ["P1", 12.5, "x"], [None, None], ["P2", "7", None]]))
    table = read_table(data, sheet="月报", headers=HEADERS)
    assert table.headers == list(HEADERS)
    assert [(r.number, r.get("项目代码"), r.get("本月完成投资（万元）")) for r in table.rows] == [
        (2, "P1", 12.5),
        (4, "P2", "7"),
    ]


def test_it_takes_optional_headers_only_when_present() -> None:
    data = _bytes(_book([[*HEADERS, "备注"], ["P1", 1, "说明"]]))
    table = read_table(data, sheet="月报", headers=HEADERS, optional_headers=("备注", "其他"))
    assert table.headers == [*HEADERS, "备注"]
    assert table.rows[0].get("备注") == "说明"


def test_it_refuses_an_empty_file() -> None:
    assert _errors(b"") == ["文件为空。"]


def test_it_refuses_a_file_over_the_size_limit() -> None:
    data = _bytes(_book([list(HEADERS)]))
    assert _errors(data, max_bytes=100) == [
        f"文件过大（{len(data) / 1024 / 1024:.1f} MB），上限为 0 MB。"
    ]


def test_it_refuses_another_file_renamed_to_xlsx() -> None:
    errors = _errors(b"%PDF-1.7 not a workbook")
    assert errors == [
        "文件不是 Excel（.xlsx）格式。请在 Excel 或 WPS 中“另存为 Excel 工作簿（.xlsx）”后再上传。"
    ]


def test_it_refuses_a_zip_that_is_not_a_workbook() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert _errors(buffer.getvalue()) == [
        "文件不是 Excel（.xlsx）工作簿（可能是改了扩展名的其他文件）。"
    ]


def test_it_refuses_a_truncated_workbook() -> None:
    data = _bytes(_book([list(HEADERS)]))
    assert _errors(data[: len(data) // 2]) == ["文件已损坏，无法作为 Excel（.xlsx）读取。"]


def test_it_refuses_extra_sheets_but_allows_instructions() -> None:
    data = _bytes(_book([list(HEADERS)], sheets=("月报", "Sheet2", "说明")))
    assert _errors(data) == [
        "工作簿中有多余的工作表：Sheet2。请只保留「月报」"
        "（数据放在多个工作表中时，系统无法确定应以哪一个为准）。"
    ]
    ok = _bytes(_book([list(HEADERS)], sheets=("月报", "说明")))
    assert read_table(ok, sheet="月报", headers=HEADERS).rows == []


def test_it_refuses_a_missing_sheet() -> None:
    data = _bytes(_book([list(HEADERS)], sheets=("Sheet1",)))
    assert _errors(data) == [
        "找不到工作表「月报」（文件中的工作表：Sheet1）。请使用系统下载的模板。"
    ]


def test_it_refuses_merged_cells_with_their_place() -> None:
    book = _book([list(HEADERS), ["P1", 1], ["P2", 2]])
    sheet = book.active
    assert sheet is not None
    sheet.merge_cells("A2:A3")
    assert _errors(_bytes(book)) == ["第2行「A」列：存在合并单元格（A2:A3），请取消合并后再上传。"]


def test_it_refuses_formula_cells_with_their_place() -> None:
    book = _book([list(HEADERS), ["P1", 1], ["P2", "=B2*2"]])
    assert _errors(_bytes(book)) == [
        "第3行「B」列：单元格是公式。请复制后“选择性粘贴为数值”再上传。"
    ]


def test_it_refuses_missing_headers() -> None:
    data = _bytes(_book([["项目代码", "本月投资"]]))
    assert _errors(data) == ["缺少列：本月完成投资（万元）。请使用系统下载的模板，不要修改表头。"]


def _row(value: object) -> Row:
    return Row(7, {"值": value})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12.5, Decimal("12.50")),
        (3, Decimal("3.00")),
        ("1,234.5", Decimal("1234.50")),
        (" 8 ", Decimal("8.00")),
        (0.1 + 0.2, None),  # 0.30000000000000004 has more than two places
    ],
)
def test_it_reads_decimals_exactly(value: object, expected: Decimal | None) -> None:
    errors: list[RowError] = []
    assert cell_decimal(_row(value), "值", errors) == expected
    assert bool(errors) == (expected is None)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("约100", "第7行「值」列：应为数字，实为「约100」。"),
        (True, "第7行「值」列：应为数字，实为「True」。"),
        ("nan", "第7行「值」列：应为数字，实为「nan」。"),
        (-1, "第7行「值」列：不能小于 0，实为 -1。"),
        (1.234, "第7行「值」列：最多保留 2 位小数，实为 1.234。"),
        (None, "第7行「值」列：必填，不能为空。"),
    ],
)
def test_it_explains_a_bad_number_cell(value: object, message: str) -> None:
    errors: list[RowError] = []
    assert cell_decimal(_row(value), "值", errors, required=True, minimum=Decimal(0)) is None
    assert [str(e) for e in errors] == [message]


def test_it_reads_integers_text_and_dates() -> None:
    errors: list[RowError] = []
    assert cell_int(_row(4.0), "值", errors) == 4
    assert cell_text(_row(2026.0), "值", errors) == "2026"
    assert cell_text(_row("  甲  "), "值", errors) == "甲"
    assert cell_date(_row("2026-07-31"), "值", errors) == date(2026, 7, 31)
    assert cell_date(_row("2026年7月1日"), "值", errors) == date(2026, 7, 1)
    assert errors == []
    assert cell_int(_row(4.5), "值", errors) is None
    assert cell_date(_row("2026-02-30"), "值", errors) is None
    assert cell_text(_row("甲乙丙"), "值", errors, max_length=2) == "甲乙丙"
    assert [str(e) for e in errors] == [
        "第7行「值」列：最多保留 0 位小数，实为 4.5。",
        "第7行「值」列：应为日期（如 2026-07-31），实为「2026-02-30」。",
        "第7行「值」列：不能超过 2 个字。",
    ]


def test_it_writes_a_workbook_that_reads_back() -> None:
    data = workbook_bytes(
        [
            Sheet(
                "月报",
                [Column("项目代码"), Column("本月完成投资（万元）", kind="decimal2")],
                [["P1", Decimal("12.50")], ["P2", None], ["P3", 7]],
            )
        ]
    )
    table = read_table(data, sheet="月报", headers=HEADERS)
    assert [(r.number, r.values) for r in table.rows] == [
        (2, {"项目代码": "P1", "本月完成投资（万元）": 12.5}),
        (3, {"项目代码": "P2", "本月完成投资（万元）": None}),
        (4, {"项目代码": "P3", "本月完成投资（万元）": 7}),
    ]


def test_it_sends_a_download_with_a_chinese_file_name() -> None:
    response = xlsx_response("项目月报 2026-07.xlsx", b"PK")
    assert response["Content-Disposition"] == (
        'attachment; filename="_____2026-07.xlsx"; '
        "filename*=UTF-8''%E9%A1%B9%E7%9B%AE%E6%9C%88%E6%8A%A5%202026-07.xlsx"
    )


def test_it_names_columns_like_excel() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]


def test_a_date_cell_outside_the_window_of_years_is_a_row_error() -> None:
    """Issue 11 item 5: every import's dates go through check_date (3026 typed for 2026)."""
    from datetime import UTC, datetime

    errors: list[RowError] = []
    assert cell_date(_row("3026-12-31"), "值", errors) is None
    assert cell_date(_row(datetime(9999, 12, 31, tzinfo=UTC)), "值", errors) is None
    assert cell_date(_row(date(1900, 1, 1)), "值", errors) is None
    assert [str(e) for e in errors] == [
        "第7行「值」列：值“3026-12-31”超出允许范围（2000–2099年）。",
        "第7行「值」列：值“9999-12-31”超出允许范围（2000–2099年）。",
        "第7行「值」列：值“1900-01-01”超出允许范围（2000–2099年）。",
    ]


@pytest.mark.parametrize(
    ("value", "expected", "message"),
    [
        # the fast path for plain numbers stops at every bound the full path enforces
        (7, 7, ""),
        (7.0, 7, ""),
        (2_147_483_647, 2_147_483_647, ""),
        (2_147_483_648, None, "数值超出范围（不能超过 2147483647），实为 2147483648。"),
        (-1, None, "不能小于 0，实为 -1。"),
        (float("inf"), None, "应为数字，实为「inf」。"),
        (1e300, None, "数值超出范围"),
        (True, None, "应为数字，实为「True」。"),
    ],
)
def test_an_integer_cell_keeps_every_bound_on_the_fast_path(
    value: object, expected: int | None, message: str
) -> None:
    errors: list[RowError] = []
    assert cell_int(_row(value), "值", errors) == expected
    assert all(message in str(e) for e in errors)
    assert bool(errors) == bool(message)


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (12.5, 2, Decimal("12.50")),
        (0.125, 2, None),  # three places
        (0.125, 4, Decimal("0.1250")),
        (999_999_999_999_999, 2, Decimal("999999999999999.00")),  # the largest allowed
        (10**15, 2, None),  # 10^15 and above are out of range
        (-5.5, 2, None),  # below the minimum
        (float("nan"), 2, None),
    ],
)
def test_a_number_cell_keeps_every_bound_on_the_fast_path(
    value: object, places: int, expected: Decimal | None
) -> None:
    errors: list[RowError] = []
    got = cell_decimal(_row(value), "值", errors, minimum=Decimal(0), places=places)
    assert got == expected
    assert str(got) == str(expected)  # the same places as well
    assert bool(errors) == (expected is None)


def test_empty_text_cells_and_short_rows_read_as_missing() -> None:
    data = _bytes(_book([[*HEADERS, "备注"], ["P1", "", " "], ["P2"], [None, None, "x"]]))
    table = read_table(data, sheet="月报", headers=HEADERS, optional_headers=("备注",))
    assert [(r.number, r.values) for r in table.rows] == [
        (2, {"项目代码": "P1", "本月完成投资（万元）": None, "备注": " "}),
        (3, {"项目代码": "P2", "本月完成投资（万元）": None, "备注": None}),
        (4, {"项目代码": None, "本月完成投资（万元）": None, "备注": "x"}),
    ]


def test_an_import_runs_with_the_cycle_collector_paused_and_restores_it() -> None:
    import gc

    from dudao.core.imports import gc_paused

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # a caller's own pause is left alone
    finally:
        gc.enable()
