"""Whole-column fast paths of the cell readers, for imports of many rows.

`read_cells` reads a sheet with every check and refusal of `dudao.core.xlsx.read_table`, rows
as plain tuples (no dict per row).

Each function takes one column of a sheet (the raw cell values of every row, as
`dudao.core.xlsx.read_cells` gives them) and returns (the values read, the positions of the
cells it could not accept). A cell is accepted only when the matching cell reader
(`cell_int`, `cell_decimal`, `cell_text` in dudao.core.xlsx) would accept it without an error
and give the same value; every other cell — a refusal, an unusual spelling — is left to that
reader, which the importer calls for the whole row, so messages keep their row and column.
The common column (all numbers, all text) is checked by C-level maps, without a Python call
per cell.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import repeat
from typing import Any

from dudao.core.imports import MAX_IMPORT_BYTES
from dudao.core.xlsx import _QUANTA, MAX_CELL_INT, MAX_CELL_MAGNITUDE, Row, _read_sheet, _row

Column = tuple[list[Any], set[int]]
_NONE = type(None)


def _blank(value: Any) -> bool:
    return value is None or (type(value) is str and not value.strip())


def whole_numbers(
    cells: Sequence[Any], low: int, high: int = MAX_CELL_INT, *, blank_ok: bool = False
) -> Column:
    """Whole numbers within [low, high] (as `cell_int`'s fast path); a blank cell is None
    when `blank_ok` (an optional column), else left to the reader."""
    kinds = set(map(type, cells))
    if kinds <= {float} and all(map(float.is_integer, cells)):  # as Excel stores them
        whole = list(map(int, cells))
        if not whole or (min(whole) >= low and max(whole) <= high):
            return whole, set()
    if kinds <= {int} or (blank_ok and kinds <= {int, _NONE}):
        present = [v for v in cells if v is not None] if _NONE in kinds else cells
        if not present or (min(present) >= low and max(present) <= high):
            return list(cells), set()
    values: list[Any] = []
    bad: set[int] = set()
    for i, cell in enumerate(cells):
        v = int(cell) if type(cell) is float and cell.is_integer() else cell
        if type(v) is int and low <= v <= high:
            values.append(v)
        elif blank_ok and _blank(v):
            values.append(None)
        else:
            values.append(None)
            bad.add(i)
    return values, bad


def amounts(
    cells: Sequence[Any],
    *,
    places: int,
    minimum: Decimal | None = None,
    blank: Decimal | None = None,
    blank_ok: bool = False,
) -> Column:
    """Plain numbers with at most `places` decimals, within the cell magnitude and above
    `minimum` (as `cell_decimal`'s fast path), as quantized Decimals; a blank cell is `blank`
    when `blank_ok`, else left to the reader."""
    quantum = _QUANTA[places]
    kinds = set(map(type, cells))
    if kinds <= {int, float}:
        try:
            exact = list(map(Decimal, map(repr, cells)))
            rounded = list(map(Decimal.quantize, exact, repeat(quantum)))
            if (
                all(map(operator.eq, exact, rounded))
                and min(rounded) > -MAX_CELL_MAGNITUDE
                and max(rounded) < MAX_CELL_MAGNITUDE
                and (minimum is None or min(rounded) >= minimum)
            ):
                return rounded, set()
        except (InvalidOperation, ValueError):  # inf, nan: the reader names them
            pass
    values: list[Any] = []
    bad: set[int] = set()
    for i, v in enumerate(cells):
        if blank_ok and _blank(v):
            values.append(blank)
            continue
        number = _plain(v, quantum, minimum)
        values.append(number)
        if number is None:
            bad.add(i)
    return values, bad


def _plain(value: Any, quantum: Decimal, minimum: Decimal | None) -> Decimal | None:
    if not isinstance(value, int | float) or type(value) is bool:
        return None
    plain = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if (
        plain.is_finite()
        and -MAX_CELL_MAGNITUDE < plain < MAX_CELL_MAGNITUDE
        and (minimum is None or plain >= minimum)
        and plain == (exact := plain.quantize(quantum))
    ):
        return exact
    return None


def texts(cells: Sequence[Any], limit: int = 0) -> Column:
    """Text or blank cells, stripped, of at most `limit` characters (0: any length; as
    `cell_text`); a cell of another type (a number, a date) is left to the reader."""
    kinds = set(map(type, cells))
    if kinds <= {str}:
        values = list(map(str.strip, cells))
    elif kinds <= {str, _NONE}:
        values = ["" if v is None else v.strip() for v in cells]
    else:
        values = []
        bad: set[int] = set()
        for i, v in enumerate(cells):
            if v is None:
                values.append("")
            elif type(v) is str:
                values.append(v.strip())
            else:
                values.append("")
                bad.add(i)
        return values, bad | _too_long(values, limit)
    return values, _too_long(values, limit)


def _too_long(values: list[str], limit: int) -> set[int]:
    if not limit or not values or max(map(len, values)) <= limit:
        return set()
    return {i for i, v in enumerate(values) if len(v) > limit}


def filled(cells: Sequence[Any]) -> set[int]:
    """The positions of the cells that are not blank (for a column read only row by row)."""
    if set(map(type, cells)) <= {_NONE}:
        return set()
    return {i for i, v in enumerate(cells) if not _blank(v)}


@dataclass
class Cells:
    """A sheet read as plain tuples (`read_cells`): `rows` are (row number, values in
    `headers` order); an empty cell may be None or "" — `row(i)` gives the `Row` that
    `read_table` would have made, for the cell readers and their messages."""

    sheet: str
    headers: list[str]
    rows: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)

    def row(self, number: int, values: tuple[Any, ...]) -> Row:
        return _row(number, self.headers, values)


def read_cells(
    data: bytes,
    *,
    sheet: str | None = None,
    headers: Sequence[str],
    optional_headers: Sequence[str] = (),
    header_row: int = 1,
    allowed_other_sheets: Iterable[str] = ("说明", "填报说明"),
    max_bytes: int = MAX_IMPORT_BYTES,
) -> Cells:
    """`read_table` with the same checks and refusals, rows as tuples (no dict per row): for
    the large imports, which check the common cell inline and hand any other row to the cell
    readers through `Cells.row`."""
    target, wanted, index, raw = _read_sheet(
        data,
        sheet=sheet,
        headers=headers,
        optional_headers=optional_headers,
        header_row=header_row,
        allowed_other_sheets=allowed_other_sheets,
        max_bytes=max_bytes,
        aliases=None,
    )
    cells = Cells(sheet=target, headers=list(wanted))
    pick = operator.itemgetter(*index.values())
    width = max(index.values()) + 1
    single = len(wanted) == 1
    out = cells.rows
    for offset, values in enumerate(raw[header_row:], start=header_row + 1):
        for v in values:
            if v is not None and (type(v) is not str or v.strip()):
                break
        else:
            continue  # a blank row
        picked = pick(values if len(values) >= width else [*values, *[None] * width][:width])
        out.append((offset, (picked,) if single else picked))
    return cells
