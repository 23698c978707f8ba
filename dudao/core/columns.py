"""Whole-column fast paths of the cell readers, for imports of many rows.

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
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from itertools import repeat
from typing import Any

from dudao.core.xlsx import _QUANTA, MAX_CELL_INT, MAX_CELL_MAGNITUDE

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
