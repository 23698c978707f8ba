"""One upload reader for the importers: an .xlsx workbook or a CSV file, told apart by content.

(Kept apart from core/xlsx.py so the xlsx module's owner can fold it in; the rule is here once.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dudao.core.xlsx import Table, read_csv, read_table


def read_rows(
    data: bytes,
    *,
    filename: str,
    headers: Sequence[str],
    optional: Sequence[str] = (),
    aliases: Mapping[str, str] | None = None,
) -> Table:
    """Read a text file (CSV in UTF-8 or GB18030 as saved by Excel, UTF-16 "Unicode 文本";
    comma, tab or semicolon) or an .xlsx upload into rows; ``aliases`` maps other header
    spellings to the canonical ones."""
    if data.startswith(b"PK\x03\x04") or filename.lower().endswith(".xlsx"):
        return read_table(data, headers=headers, optional_headers=optional, aliases=aliases)
    return read_csv(data, headers=headers, optional_headers=optional, aliases=aliases)
