"""Writing Excel (xlsxwriter, constant memory): `workbook_bytes([Sheet(...)])` and
`xlsx_response`. Its names are also readable through `dudao.core.xlsx`."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Column:
    header: str
    width: float = 14
    kind: str = "text"  # text | decimal2 | decimal1 | int | date | percent1
    comment: str = ""


@dataclass
class Sheet:
    name: str
    columns: list[Column]
    rows: Iterable[Sequence[Any]]
    title: str = ""  # optional first line above the header (then the header is row 2)
    locked_columns: int = 0  # protect nothing but mark the first N columns grey (read-only)


_FORMATS = {
    "decimal2": "#,##0.00",
    "decimal1": "#,##0.0",
    "int": "0",
    "date": "yyyy-mm-dd",
    "percent1": "0.0",
}


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """Write sheets to an in-memory .xlsx (row by row, constant memory)."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    head = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True})
    grey = book.add_format({"bg_color": "#F2F2F2"})
    title_fmt = book.add_format({"bold": True, "font_size": 13})
    formats = {k: book.add_format({"num_format": v}) for k, v in _FORMATS.items()}
    for spec in sheets:
        ws = book.add_worksheet(spec.name[:31])
        first = 0
        if spec.title:
            ws.write(0, 0, spec.title, title_fmt)
            first = 1
        for c, col in enumerate(spec.columns):
            fmt = formats.get(col.kind)
            ws.set_column(c, c, col.width, grey if c < spec.locked_columns else fmt)
            ws.write(first, c, col.header, head)
            if col.comment:
                ws.write_comment(first, c, col.comment)
        ws.freeze_panes(first + 1, spec.locked_columns)
        for r, values in enumerate(spec.rows, start=first + 1):
            for c, value in enumerate(values):
                if value is None or value == "":
                    continue
                kind = spec.columns[c].kind if c < len(spec.columns) else "text"
                if isinstance(value, Decimal):
                    ws.write_number(r, c, float(value), formats.get(kind))
                elif isinstance(value, (date, datetime)):
                    ws.write_datetime(r, c, value, formats["date"])
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    ws.write_number(r, c, value, formats.get(kind))
                else:
                    ws.write_string(r, c, str(value))
    book.close()
    return buffer.getvalue()


def xlsx_response(filename: str, data: bytes) -> HttpResponse:
    """Serve .xlsx bytes as a download with a Chinese file name (RFC 6266 / 5987)."""
    response = HttpResponse(data, content_type=XLSX_MIME)
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", filename) or "export.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


def iter_chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
