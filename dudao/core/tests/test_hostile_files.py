"""Hostile files (issue 11): every one is refused with a Chinese file or row error, quickly and
in bounded memory, by the core reader and by every import kind; nothing reaches a parser that
would allocate what the file merely claims."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from decimal import Decimal
from pathlib import Path

import pytest

from dudao.core import xlsx_guard
from dudao.core.imports import ImportRejected, RowError
from dudao.core.tests import hostile
from dudao.core.uploads import UploadRejected, clean_document, clean_photo
from dudao.core.xlsx import Row, cell_decimal, cell_int, cell_text, read_csv, read_table

ROOT = Path(__file__).resolve().parents[3]
HEADERS = ("a",)
DENSE_BOMBS = hostile.DENSE_BOMBS
SAFE_IN_PROCESS = {k: v for k, v in hostile.HOSTILE_WORKBOOKS.items() if k not in DENSE_BOMBS}


def _refusal(data: bytes) -> list[RowError]:
    with pytest.raises(ImportRejected) as caught:
        read_table(data, headers=HEADERS)
    return caught.value.errors


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize("name", sorted(SAFE_IN_PROCESS))
def test_the_reader_refuses_each_hostile_workbook_as_a_whole_file(name: str) -> None:
    errors = _refusal(SAFE_IN_PROCESS[name]())
    assert len(errors) == 1
    assert errors[0].row == 0
    assert _is_chinese(errors[0].message)


def _read_in_a_jail(make: str) -> subprocess.CompletedProcess[str]:
    """read_table(<the expression `make` over `hostile`>) in a subprocess limited to 3 GB of
    address space: a dense read of a bomb aborts that process, not the test run."""
    script = textwrap.dedent(
        f"""
        import resource, sys
        limit = 3 * 1024**3
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        from dudao.core.imports import ImportRejected
        from dudao.core.tests import hostile
        from dudao.core.xlsx import read_table
        data = {make}
        try:
            table = read_table(data, headers=("a",))
        except ImportRejected as exc:
            print("REFUSED", exc)
        else:
            print("READ", [(r.number, r.get("a")) for r in table.rows])
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


@pytest.mark.parametrize("name", sorted(DENSE_BOMBS))
def test_a_dimension_bomb_is_refused_before_any_dense_read(name: str) -> None:
    done = _read_in_a_jail(f"hostile.HOSTILE_WORKBOOKS[{name!r}]()")
    assert done.stdout.startswith("REFUSED 工作表的数据范围过大：最远的单元格为 XFD1048576")


def test_a_second_r_in_a_cell_is_refused() -> None:
    """calamine takes a cell's last `r` (here XFD1048576, a dense read of 512 GB): the guard
    must not read such a tag quickly as A2."""
    body = '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>'
    body += '<row r="2"><c r="A2" r="XFD1048576"><v>7</v></c></row>'
    done = _read_in_a_jail(f"hostile.zip_parts(hostile.parts(hostile.worksheet({body!r})))")
    assert done.stdout.strip() == f"REFUSED {xlsx_guard.CORRUPT}"


def test_the_dimension_bomb_names_the_farthest_cell_and_the_limits() -> None:
    [error] = _refusal_without_calamine(hostile.dimension_bomb(declare=False))
    assert error.message == xlsx_guard.EXTENT.format(
        ref="XFD1048576",
        rows=1_048_576,
        cols=16_384,
        max_rows=xlsx_guard.MAX_SHEET_ROWS,
        max_cols=xlsx_guard.MAX_SHEET_COLUMNS,
        max_cells=xlsx_guard.MAX_SHEET_CELLS,
    )


def _refusal_without_calamine(data: bytes) -> list[RowError]:
    """The guard alone (no calamine anywhere), for checks on the bombs in process."""
    with pytest.raises(ImportRejected) as caught:
        xlsx_guard.inspect_xlsx(data)
    return caught.value.errors


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (hostile.lying_zip, xlsx_guard.LYING),
        (lambda: hostile.lying_zip(honest_crc=True), xlsx_guard.LYING),
        (hostile.honest_zip_bomb, xlsx_guard.TOO_BIG),
        (hostile.billion_laughs, xlsx_guard.ENTITY),
        (hostile.nested_zip, xlsx_guard.NESTED.format(name="oleObject1.bin")),
        (
            hostile.huge_shared_strings,
            xlsx_guard.TOO_MANY_STRINGS.format(limit=xlsx_guard.MAX_SHARED_STRINGS),
        ),
        (hostile.utf16_sheet, xlsx_guard.CORRUPT),
        (hostile.truncated, xlsx_guard.CORRUPT),
        (hostile.zip_without_end, xlsx_guard.CORRUPT),
    ],
)
def test_each_refusal_says_what_is_wrong(make: object, message: str) -> None:
    assert callable(make)
    assert [e.message for e in _refusal(make())] == [message]


def test_a_lying_zip_is_refused_without_inflating_what_it_hides() -> None:
    """Declares 4 KB, inflates to 450 MB: refused as soon as the 4 KB are exceeded."""
    data = hostile.lying_zip(450)
    started = time.perf_counter()
    assert [e.message for e in _refusal(data)] == [xlsx_guard.LYING]
    assert time.perf_counter() - started < 2


def test_a_sheet_beyond_the_row_limit_is_refused_even_if_narrow() -> None:
    data = hostile.zip_parts(
        hostile.parts(hostile.worksheet('<row r="250000"><c r="A250000"><v>1</v></c></row>'))
    )
    assert "最远的单元格为 A250000" in _refusal(data)[0].message


def test_a_cell_at_row_zero_or_beyond_excel_is_refused() -> None:
    for ref in ("A0", "A1048577", "XFE1"):
        sheet = hostile.worksheet(f'<row r="1"><c r="{ref}"><v>1</v></c></row>')
        [error] = _refusal(hostile.zip_parts(hostile.parts(sheet)))
        assert error.row == 0, ref
        assert _is_chinese(error.message)


def test_large_but_legitimate_sheets_are_not_refused_by_the_bounds() -> None:
    """A 10,000-row sheet reaching column BH: the quick bounds (99,999 × 60) exceed the cell
    limit, the exact count (10,000 × 60) does not."""
    rows = [["a", *range(1, 60)], *([[f"r{n}"] for n in range(2, 10_001)])]
    table = read_table(hostile.workbook(rows), headers=HEADERS)
    assert len(table.rows) == 9_999


@pytest.mark.parametrize(
    "sheet_xml",
    [
        # prefixed tags
        (
            f'{hostile.DECL}<x:worksheet xmlns:x="{hostile.MAIN_NS}"><x:sheetData>'
            '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c></x:row>'
            '<x:row r="2"><x:c r="A2"><x:v>7</x:v></x:c></x:row>'
            "</x:sheetData></x:worksheet>"
        ).encode(),
        # cells without r, single quotes
        hostile.worksheet(
            "<row r='1'><c t='inlineStr'><is><t>a</t></is></c></row><row><c><v>7</v></c></row>"
        ),
    ],
)
def test_unusual_but_valid_sheets_are_read_exactly(sheet_xml: bytes) -> None:
    table = read_table(hostile.zip_parts(hostile.parts(sheet_xml)), headers=HEADERS)
    assert [(r.number, r.get("a")) for r in table.rows] == [(2, 7)]


# --- Numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [*hostile.HOSTILE_NUMBERS, 1e300, float("nan"), -1e24, 10**30])
@pytest.mark.parametrize("places", [0, 2, 4, 6])
def test_a_hostile_number_is_a_row_error_never_an_exception(value: object, places: int) -> None:
    raw = value.text if isinstance(value, hostile.Raw) else value
    errors: list[RowError] = []
    assert cell_decimal(Row(7, {"金额": raw}), "金额", errors, places=places) is None
    assert errors[0].row == 7
    assert errors[0].column == "金额"
    assert _is_chinese(errors[0].message)


def test_numbers_up_to_the_bound_are_read_and_beyond_it_refused() -> None:
    errors: list[RowError] = []
    assert cell_decimal(Row(2, {"x": "999999999999999.99"}), "x", errors) == Decimal(
        "999999999999999.99"
    )
    assert cell_decimal(Row(3, {"x": 1e15}), "x", errors) is None
    assert cell_int(Row(4, {"x": 2_147_483_648}), "x", errors) is None
    assert [str(e) for e in errors] == [
        "第3行「x」列：数值超出范围（绝对值应小于 1,000,000,000,000,000），"
        "实为「1000000000000000.0」。",
        "第4行「x」列：数值超出范围（不能超过 2147483647），实为 2147483648。",
    ]


def test_hostile_numbers_read_from_a_workbook_and_a_csv_become_row_errors() -> None:
    values = [hostile.Raw("1e300"), hostile.Raw("NaN"), hostile.Raw("1e24")]
    table = read_table(hostile.workbook([["a"], *([v] for v in values)]), headers=HEADERS)
    csv = read_csv(b"a\n1e300\nNaN\n1e24\n-Infinity\n", headers=HEADERS)
    for rows in (table.rows, csv.rows):
        errors: list[RowError] = []
        for row in rows:
            assert cell_decimal(row, "a", errors) is None
            cell_text(row, "a", errors, max_length=10)
        assert {e.row for e in errors} >= {2, 3, 4}
        assert all(_is_chinese(e.message) for e in errors)


def test_a_csv_with_too_many_columns_is_refused() -> None:
    data = b"a\n" + b"," * 5000 + b"\n"
    with pytest.raises(ImportRejected, match="列数过多"):
        read_csv(data, headers=HEADERS)


# --- Images -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(hostile.HOSTILE_IMAGES))
def test_a_hostile_image_is_refused_as_a_photo_and_as_a_document(name: str) -> None:
    data = hostile.HOSTILE_IMAGES[name]()
    ext = "png" if data.startswith(b"\x89PNG") else "jpg"
    for clean in (clean_photo, clean_document):
        with pytest.raises(UploadRejected) as caught:
            clean(data, f"x.{ext}")
        assert _is_chinese(caught.value.message)
