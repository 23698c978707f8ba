"""Excel in and out, with the checks every upload needs.

Reading (python-calamine, fast and never evaluates anything):
    table = read_table(data, sheet="月报", headers=("项目代码", "本月完成投资（万元）"))
    for row in table.rows: row.number (1-based, as Excel shows it), row.get("项目代码") …
refuses, with a Chinese message and nothing read: an empty or oversized file, a file that is
not .xlsx (also when renamed), a zip bomb, sheets other than the expected ones, merged cells
and formula cells in the data (the value Excel shows is not what the file holds), missing
headers.

Cell readers (`cell_decimal`, `cell_text`, `cell_date`, `cell_int`) append a `RowError` with
row and column to a list and return None, so a whole file is checked in one pass.

Writing (xlsxwriter, constant memory) is in `xlsx_write`: `workbook_bytes([Sheet(...)])` and
`xlsx_response`, readable through this module too.
"""

from __future__ import annotations

import csv
import io
import operator
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from dudao.core.bounds import check_date
from dudao.core.exceptions import DomainError
from dudao.core.imports import MAX_IMPORT_BYTES, ImportRejected, RowError, column_letter
from dudao.core.xlsx_guard import CORRUPT, MAX_SHEET_COLUMNS, inspect_xlsx
from dudao.core.xlsx_write import (
    XLSX_MIME,
    Column,
    Sheet,
    iter_chunks,
    workbook_bytes,
    xlsx_response,
)

MAX_ROWS = 200_000
MAX_CSV_COLUMNS = MAX_SHEET_COLUMNS
# Every number read from a cell must be smaller than this in magnitude. The widest amount field
# (stats values, DecimalField(max_digits=20, decimal_places=4)) holds 16 integer digits; 10^15
# leaves every import's figures (万元, 元, counts, scores) far inside it, and keeps quantize()
# within the decimal context's 28 digits for up to 12 decimal places.
MAX_CELL_MAGNITUDE = Decimal(10) ** 15
# Integer cells land in IntegerField columns (32-bit on PostgreSQL).
MAX_CELL_INT = 2_147_483_647

_SHEET_RE = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"', re.S)
_REL_RE = re.compile(rb'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"', re.S)
_REL_RE2 = re.compile(rb'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"', re.S)
_FORMULA_RE = re.compile(rb'<c\b[^>]*?\br="([A-Z]+)(\d+)"[^>]*>(?:(?!</c>).){0,200}?<f[\s>/]', re.S)


@dataclass
class Row:
    """One data row: `number` is the row number Excel shows; `values` maps header → raw value."""

    number: int
    values: dict[str, Any]

    def get(self, header: str) -> Any:
        return self.values.get(header)


@dataclass
class Table:
    sheet: str
    headers: list[str]
    rows: list[Row] = field(default_factory=list)


def _unescape(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    for src, dst in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'")):
        text = text.replace(src, dst)
    return text.replace("&amp;", "&")


def check_xlsx(data: bytes, *, max_bytes: int = MAX_IMPORT_BYTES) -> zipfile.ZipFile:
    """Refuse what is not a sane .xlsx file; return the opened zip.

    Nothing the file declares is trusted (see `dudao.core.xlsx_guard`): every member is
    inflated with hard limits, and every sheet's real extent is measured, before a reader
    builds anything from it."""
    if not data:
        raise ImportRejected.whole_file("文件为空。")
    if len(data) > max_bytes:
        raise ImportRejected.whole_file(
            f"文件过大（{len(data) / 1024 / 1024:.1f} MB），上限为 {max_bytes // 1024 // 1024} MB。"
        )
    if not data.startswith(b"PK\x03\x04"):
        raise ImportRejected.whole_file(
            "文件不是 Excel（.xlsx）格式。"
            "请在 Excel 或 WPS 中“另存为 Excel 工作簿（.xlsx）”后再上传。"
        )
    with _guarded():
        return inspect_xlsx(data)


@contextmanager
def _guarded() -> Iterator[None]:
    """Turn any error of a parsing library (calamine's, zipfile's, zlib's, a Rust panic,
    MemoryError …) into the Chinese file error; our own refusals pass through."""
    try:
        yield
    except ImportRejected:
        raise
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # pyo3's PanicException is a BaseException
        raise ImportRejected.whole_file(CORRUPT) from exc


def _sheet_files(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → worksheet XML path inside the archive."""
    workbook = archive.read("xl/workbook.xml")
    try:
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets = dict(_REL_RE.findall(rels))
    targets.update({rid: target for target, rid in _REL_RE2.findall(rels)})
    out: dict[str, str] = {}
    for name, rid in _SHEET_RE.findall(workbook):
        target = targets.get(rid, b"").decode()
        if not target:
            continue
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        out[_unescape(name)] = path
    return out


def formula_cells(archive: zipfile.ZipFile, sheet: str) -> list[tuple[int, str]]:
    """(row, column letter) of every formula cell of `sheet`."""
    path = _sheet_files(archive).get(sheet)
    if path is None:
        return []
    try:
        xml = archive.read(path)
    except KeyError:
        return []
    if b"<f" not in xml:
        return []
    return [(int(r), c.decode()) for c, r in _FORMULA_RE.findall(xml)]


def read_table(
    data: bytes,
    *,
    sheet: str | None = None,
    headers: Sequence[str],
    optional_headers: Sequence[str] = (),
    header_row: int = 1,
    allowed_other_sheets: Iterable[str] = ("说明", "填报说明"),
    max_bytes: int = MAX_IMPORT_BYTES,
    aliases: Mapping[str, str] | None = None,
) -> Table:
    """Read one sheet of an .xlsx upload as rows keyed by header, or raise ImportRejected.

    `sheet=None` takes the first sheet. Other sheets are refused unless named in
    `allowed_other_sheets` (instructions). Blank rows are skipped.
    """
    target, wanted, index, raw = _read_sheet(
        data,
        sheet=sheet,
        headers=headers,
        optional_headers=optional_headers,
        header_row=header_row,
        allowed_other_sheets=allowed_other_sheets,
        max_bytes=max_bytes,
        aliases=aliases,
    )
    table = Table(sheet=target, headers=list(wanted))
    table.rows = _data_rows(raw[header_row:], header_row + 1, index)
    return table


def _read_sheet(
    data: bytes,
    *,
    sheet: str | None,
    headers: Sequence[str],
    optional_headers: Sequence[str],
    header_row: int,
    allowed_other_sheets: Iterable[str],
    max_bytes: int,
    aliases: Mapping[str, str] | None,
) -> tuple[str, list[str], dict[str, int], list[list[Any]]]:
    """The checked sheet: (its name, the wanted headers, header → column, the raw rows)."""
    from python_calamine import CalamineWorkbook

    archive = check_xlsx(data, max_bytes=max_bytes)
    with _guarded():
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(book.sheet_names)
    if not names:
        raise ImportRejected.whole_file("工作簿中没有工作表。")
    target = sheet if sheet is not None else names[0]
    if target not in names:
        raise ImportRejected.whole_file(
            f"找不到工作表「{target}」（文件中的工作表：{'、'.join(names)}）。请使用系统下载的模板。"
        )
    allowed = set(allowed_other_sheets) | {target}
    extra = [n for n in names if n not in allowed]
    if extra:
        raise ImportRejected.whole_file(
            f"工作簿中有多余的工作表：{'、'.join(extra)}。请只保留「{target}」"
            "（数据放在多个工作表中时，系统无法确定应以哪一个为准）。"
        )
    errors: list[RowError] = []
    with _guarded():
        formulas = formula_cells(archive, target)
        ws = book.get_sheet_by_name(target)
        merged = list(ws.merged_cell_ranges or [])
    for r, c in formulas[:50]:
        errors.append(RowError(r, c, "单元格是公式。请复制后“选择性粘贴为数值”再上传。"))
    for (r0, c0), (r1, c1) in merged[:50]:
        errors.append(
            RowError(
                r0 + 1,
                column_letter(c0),
                f"存在合并单元格（{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}），"
                "请取消合并后再上传。",
            )
        )
    if errors:
        raise ImportRejected(errors)
    with _guarded():
        if ws.total_height > MAX_ROWS + header_row:
            raise ImportRejected.whole_file(f"行数过多（上限 {MAX_ROWS} 行），请分批导入。")
        raw = ws.to_python(skip_empty_area=False)
    if len(raw) < header_row:
        raise ImportRejected.whole_file("文件中没有表头行，请使用系统下载的模板。")
    found = _canonical(
        [str(h).strip() if h is not None else "" for h in raw[header_row - 1]], aliases or {}
    )
    missing = [h for h in headers if h not in found]
    if missing:
        raise ImportRejected.whole_file(
            f"缺少列：{'、'.join(missing)}。请使用系统下载的模板，不要修改表头。"
        )
    wanted = [*headers, *(h for h in optional_headers if h in found)]
    index = {h: found.index(h) for h in wanted}
    return target, wanted, index, raw


def _data_rows(raw: list[list[Any]], first: int, index: dict[str, int]) -> list[Row]:
    """The non-blank rows of `raw` (numbered from `first`) keyed by header. Per row: one
    itemgetter call and one zip — this loop runs for every row of a 20,000-row file."""
    wanted = list(index)
    pick = operator.itemgetter(*index.values()) if index else (lambda _cells: ())
    width = max(index.values(), default=-1) + 1
    rows: list[Row] = []
    for offset, values in enumerate(raw, start=first):
        for v in values:
            if v is not None and (type(v) is not str or v.strip()):
                break
        else:
            continue  # a blank row
        cells: Any = values
        if len(cells) < width:
            cells = [*cells, *([None] * (width - len(cells)))]
        picked = pick(cells)
        rows.append(_row(offset, wanted, (picked,) if len(wanted) == 1 else picked))
    return rows


def _row(number: int, wanted: Sequence[str], picked: Sequence[Any]) -> Row:
    if "" in picked:  # calamine reads an empty cell as "": None, like a missing cell
        picked = [None if v == "" else v for v in picked]
    return Row(number, dict(zip(wanted, picked, strict=True)))


def _decode_text(data: bytes) -> str:
    """Decode a text upload: UTF-16 with its BOM (Excel's "Unicode 文本"), UTF-8 with or
    without BOM, else GB18030/GBK. A NUL byte in anything but UTF-16 is binary content."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportRejected.whole_file(
                "文件以 UTF-16 标记开头，但内容不是有效的 UTF-16 文本。"
            ) from None
        if "\x00" in text:
            raise ImportRejected.whole_file("文件不是文本格式的 CSV（含有二进制内容）。")
        return text
    if b"\x00" in data:
        raise ImportRejected.whole_file("文件不是文本格式的 CSV（含有二进制内容）。")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise ImportRejected.whole_file(
                "无法识别文件编码：请将 CSV 保存为 UTF-8 或 GBK 编码。"
            ) from None


def _delimiter(text: str) -> str:
    """The separator of the header line: a tab (Excel's "Unicode 文本"), a semicolon (a CSV
    saved with European list settings) or a comma — whichever the header line uses most."""
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def _canonical(found: list[str], aliases: Mapping[str, str]) -> list[str]:
    """Header names as the importer knows them: an alias (e.g. a Chinese header) becomes its
    canonical name; others are kept as written."""
    return [aliases.get(h, h) for h in found]


def read_csv(
    data: bytes,
    *,
    headers: Sequence[str],
    optional_headers: Sequence[str] = (),
    max_bytes: int = MAX_IMPORT_BYTES,
    aliases: Mapping[str, str] | None = None,
) -> Table:
    """Read a text upload into the same rows as `read_table`, with the same refusals (empty,
    oversized, binary, missing headers). Encodings: UTF-8 with or without BOM, GB18030/GBK as
    Excel saves a CSV, UTF-16 with BOM (Excel's "Unicode 文本"); separators: comma, tab or
    semicolon, told by the header line. ``aliases`` maps other header spellings (e.g. Chinese
    names) to the canonical headers. Blank rows are skipped; row numbers are the file's line
    numbers."""
    if not data:
        raise ImportRejected.whole_file("文件为空。")
    if len(data) > max_bytes:
        raise ImportRejected.whole_file(f"文件过大，上限为 {max_bytes // 1024 // 1024} MB。")
    text = _decode_text(data)
    try:
        lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    except csv.Error as exc:
        raise ImportRejected.whole_file(f"CSV 格式错误：{exc}") from None
    if not lines:
        raise ImportRejected.whole_file("文件中没有表头行，请使用系统下载的模板。")
    if len(lines) > MAX_ROWS + 1:
        raise ImportRejected.whole_file(f"行数过多（上限 {MAX_ROWS} 行），请分批导入。")
    wide = next((n for n, line in enumerate(lines, start=1) if len(line) > MAX_CSV_COLUMNS), 0)
    if wide:
        raise ImportRejected.whole_file(
            f"第{wide}行的列数过多（上限 {MAX_CSV_COLUMNS} 列），请使用系统下载的模板。"
        )
    found = _canonical([h.strip() for h in lines[0]], aliases or {})
    missing = [h for h in headers if h not in found]
    if missing:
        raise ImportRejected.whole_file(
            f"缺少列：{'、'.join(missing)}。表头应为 {','.join(headers)}。"
        )
    wanted = [*headers, *(h for h in optional_headers if h in found)]
    index = {h: found.index(h) for h in wanted}
    table = Table(sheet="CSV", headers=wanted)
    for number, values in enumerate(lines[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        table.rows.append(
            Row(number, {h: (values[i] if i < len(values) else None) for h, i in index.items()})
        )
    return table


# --- Cell readers -------------------------------------------------------------------------


_QUANTA = {p: Decimal(1).scaleb(-p) for p in range(7)}


def _plain_number(value: Any, minimum: Decimal | None, places: int) -> Decimal | None:
    """The fast path of cell_decimal for what Excel stores — a plain number within every
    bound — or None: anything else, refusals included, goes the full way."""
    if not isinstance(value, (int, float)) or type(value) is bool:
        return None
    plain = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    quantum = _QUANTA.get(places)
    if (
        quantum is not None
        and plain.is_finite()
        and -MAX_CELL_MAGNITUDE < plain < MAX_CELL_MAGNITUDE
        and (minimum is None or plain >= minimum)
        and plain == (exact := plain.quantize(quantum))
    ):
        return exact
    return None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(
    row: Row, header: str, errors: list[RowError], *, required: bool = False, max_length: int = 0
) -> str:
    value = row.values.get(header)
    if type(value) is str:  # the common cell: no other check needed
        text = value.strip()
        if text:
            if max_length and len(text) > max_length:
                errors.append(RowError(row.number, header, f"不能超过 {max_length} 个字。"))
            return text
    if _blank(value):
        if required:
            errors.append(RowError(row.number, header, "必填，不能为空。"))
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if max_length and len(text) > max_length:
        errors.append(RowError(row.number, header, f"不能超过 {max_length} 个字。"))
    return text


def cell_decimal(  # noqa: PLR0911 - one return per refusal reads best here
    row: Row,
    header: str,
    errors: list[RowError],
    *,
    required: bool = False,
    minimum: Decimal | None = None,
    places: int = 2,
) -> Decimal | None:
    """A number cell. Text such as "1,234.5" or "1234.5 " is read; "约100" is refused."""
    value = row.values.get(header)
    fast = _plain_number(value, minimum, places)
    if fast is not None:
        return fast
    if _blank(value):
        if required:
            errors.append(RowError(row.number, header, "必填，不能为空。"))
        return None
    if isinstance(value, bool):
        errors.append(RowError(row.number, header, f"应为数字，实为「{value}」。"))
        return None
    try:
        if isinstance(value, (int, float)):
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        else:
            number = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except (InvalidOperation, ValueError, OverflowError):
        errors.append(RowError(row.number, header, f"应为数字，实为「{_shown(value)}」。"))
        return None
    if not number.is_finite():
        errors.append(RowError(row.number, header, f"应为数字，实为「{_shown(value)}」。"))
        return None
    if abs(number) >= MAX_CELL_MAGNITUDE:
        errors.append(
            RowError(
                row.number,
                header,
                f"数值超出范围（绝对值应小于 {MAX_CELL_MAGNITUDE:,.0f}），"
                f"实为「{_shown(value)}」。",
            )
        )
        return None
    if minimum is not None and number < minimum:
        errors.append(RowError(row.number, header, f"不能小于 {minimum}，实为 {number}。"))
        return None
    quantum = Decimal(1).scaleb(-places)
    try:
        rounded = number.quantize(quantum)
    except InvalidOperation:  # cannot happen within MAX_CELL_MAGNITUDE; never a 500 anyway
        rounded = None
    if rounded is None or number != rounded:
        shown = _shown(value) if rounded is None else number
        errors.append(RowError(row.number, header, f"最多保留 {places} 位小数，实为 {shown}。"))
        return None
    return rounded


def _shown(value: Any) -> str:
    """A cell value as quoted in a message, cut to a readable length."""
    text = str(value).strip()
    return text if len(text) <= 40 else f"{text[:37]}…"


def cell_int(
    row: Row, header: str, errors: list[RowError], *, required: bool = False, minimum: int = 0
) -> int | None:
    value = row.values.get(header)
    # fast path: a whole number in range, as Excel stores it (the common cell); anything else,
    # refusals included, goes the full way below
    if type(value) is float and value.is_integer():
        value = int(value)
    if type(value) is int and minimum <= value <= MAX_CELL_INT and value >= -MAX_CELL_INT:
        return value
    number = cell_decimal(
        row, header, errors, required=required, minimum=Decimal(minimum), places=0
    )
    if number is not None and abs(number) > MAX_CELL_INT:
        errors.append(
            RowError(
                row.number, header, f"数值超出范围（不能超过 {MAX_CELL_INT}），实为 {number}。"
            )
        )
        return None
    return None if number is None else int(number)


def cell_date(
    row: Row, header: str, errors: list[RowError], *, required: bool = False
) -> date | None:
    """A date cell: an Excel date, or text YYYY-MM-DD / YYYY/MM/DD / YYYY年M月D日."""
    value = row.get(header)
    if _blank(value):
        if required:
            errors.append(RowError(row.number, header, "必填，不能为空。"))
        return None
    parsed: date | None = None
    if isinstance(value, datetime):
        parsed = value.date()
    elif isinstance(value, date):
        parsed = value
    else:
        text = str(value).strip()
        match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
        if match:
            with suppress(ValueError):
                parsed = date(int(match[1]), int(match[2]), int(match[3]))
        if parsed is None:
            errors.append(
                RowError(row.number, header, f"应为日期（如 2026-07-31），实为「{text}」。")
            )
            return None
    try:
        return check_date(parsed, label=header)  # inside the configured window of years
    except DomainError as exc:
        errors.append(RowError(row.number, header, exc.message))
        return None


__all__ = [
    "XLSX_MIME",
    "Column",
    "Sheet",
    "iter_chunks",
    "workbook_bytes",
    "xlsx_response",
]
