"""One upload reader for the importers: an .xlsx workbook or a CSV file, told apart by content.

(Kept apart from core/xlsx.py so the xlsx module's owner can fold it in; the rule is here once.)
"""

from __future__ import annotations

from collections.abc import Sequence

from dudao.core.xlsx import Table, read_csv, read_table


def read_rows(
    data: bytes, *, filename: str, headers: Sequence[str], optional: Sequence[str] = ()
) -> Table:
    """Read a CSV (UTF-8, or GB18030 as saved by Excel) or an .xlsx upload into rows."""
    if data.startswith(b"PK\x03\x04") or filename.lower().endswith(".xlsx"):
        return read_table(data, headers=headers, optional_headers=optional)
    return read_csv(data, headers=headers, optional_headers=optional)
