"""One upload reader for the importers: an .xlsx workbook or a CSV file, told apart by content.

(Kept apart from core/xlsx.py so the xlsx module's owner can fold it in; the rule is here once.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dudao.core.imports import RowError
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


def read_labelled(
    data: bytes,
    *,
    filename: str,
    labels: Mapping[str, str],
    required: Sequence[str],
    optional: Sequence[str] = (),
) -> Table:
    """Read an upload whose header row is written in Chinese (`labels`: key → 中文列名), also
    accepting the keys themselves as headers (files made before the Chinese headers); the
    rows come back keyed by the keys, so an importer's code names columns once.

    Errors an importer raises for such a table name the key; pass them through
    `labelled_errors` so the user reads the Chinese column name."""
    to_key = {label: key for key, label in labels.items()}
    table = read_rows(
        data,
        filename=filename,
        headers=[labels[k] for k in required],
        optional=[labels[k] for k in optional],
        aliases=dict(labels),
    )
    table.headers = [to_key[h] for h in table.headers]
    for row in table.rows:
        row.values = {to_key[h]: v for h, v in row.values.items()}
    return table


def labelled_errors(errors: Sequence[RowError], labels: Mapping[str, str]) -> list[RowError]:
    """The same errors with each column key replaced by its Chinese column name."""
    return [RowError(e.row, labels.get(e.column, e.column), e.message) for e in errors]
