"""File imports shared by every module: errors with row and column, reports, and the registry
behind `dudao import KIND FILE`.

An importer is a function registered under a kind ("projects", "reports", "indicators" …):

    @importer("reports", "项目月报")
    def import_reports(data: bytes, *, filename: str, actor: User, dry_run: bool) -> ImportReport:
        ...

It validates the whole file first and raises `ImportRejected` with *every* error it found
(nothing written); otherwise it writes everything in one transaction (unless `dry_run`) and
returns a report. Running the same file twice must change nothing the second time and say so
(`report.unchanged`). Web uploads, the API and the CLI call the same function.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass

# Upload limits shared by every import (reliability.md: bounded input).
MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_ERRORS_SHOWN = 500


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (Excel's column names)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True, order=True)
class RowError:
    """One problem in an input file. `row` is 1-based as the user sees it (0: the whole file);
    `column` is the column's header or letter ('' for the whole row)."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.row == 0:
            return self.message
        where = f"第{self.row}行" + (f"「{self.column}」列" if self.column else "")
        return f"{where}：{self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class ImportRejected(Exception):
    """The file cannot be imported; nothing was written. `errors` lists every problem found."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = sorted(errors)
        super().__init__("; ".join(str(e) for e in self.errors[:5]))

    @classmethod
    def whole_file(cls, message: str) -> ImportRejected:
        return cls([RowError(0, "", message)])


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do)."""

    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    warnings: list[RowError] = field(default_factory=list)
    # rows left as the template gave them (nothing filled in): neither imported nor errors
    skipped: int = 0
    skipped_rows: list[int] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.created + self.updated

    def summary(self) -> str:
        """One Chinese sentence for the user."""
        verb = "将" if self.dry_run else "已"
        skipped = f"{self.skipped} 行{SKIPPED_REASON}；" if self.skipped else ""
        if self.rows and not self.changed:
            if skipped:
                return f"共 {self.rows} 行：{skipped}其余与系统中的数据完全一致，未做任何修改。"
            return f"共 {self.rows} 行，与系统中的数据完全一致，未做任何修改。"
        text = (
            f"共 {self.rows} 行：{skipped}{verb}新增 {self.created} 条，"
            f"{verb}更新 {self.updated} 条，{self.unchanged} 条无变化。"
        )
        if self.dry_run:
            text += "（试导入，未写入）"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
            "skipped": self.skipped,
            "skipped_rows": self.skipped_rows[:MAX_ERRORS_SHOWN],
            "summary": self.summary(),
            "warnings": [w.as_dict() for w in self.warnings],
        }


SKIPPED_REASON = "未填写，已跳过"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _same_value(value: Any, given: Any) -> bool:
    if _blank(value) or _blank(given):
        return _blank(value) and _blank(given)
    if isinstance(value, str) or isinstance(given, str):
        return str(value).strip() == str(given).strip()
    try:
        return bool(value == given)
    except (TypeError, ValueError):  # pragma: no cover - exotic cell types
        return False


def split_untouched(
    rows: Sequence[Any],
    editable: Sequence[str],
    prefilled: Callable[[Any], Mapping[str, Any] | None] | None = None,
) -> tuple[list[Any], list[int]]:
    """Split a template's data rows into (rows to import, numbers of rows left untouched).

    A row is untouched when every `editable` cell is empty, or equal to what the template
    prefilled for that row (`prefilled(row)` gives the values the system would write there, or
    None when it prefilled nothing). Untouched rows are skipped, not rejected: a county fills
    only the projects it has news for. Rows are `dudao.core.xlsx.Row`-like (`.number`,
    `.get(header)`)."""
    if not editable:  # no editable column in the file: nothing to judge, every row is checked
        return list(rows), []
    kept: list[Any] = []
    skipped: list[int] = []
    for row in rows:
        given = prefilled(row) if prefilled is not None else None
        if all(_blank(row.get(h)) for h in editable) or (
            given is not None and all(_same_value(row.get(h), given.get(h)) for h in editable)
        ):
            skipped.append(row.number)
        else:
            kept.append(row)
    return kept, skipped


Importer = Callable[..., ImportReport]


@dataclass(frozen=True)
class RegisteredImporter:
    kind: str
    label: str
    func: Importer
    # The shared upload page (dudao.core.import_views, mounted by the owning module's urls with
    # its own policy entry): what the user reads there and the template to download (a
    # function of the user).
    title: str = ""
    help: str = ""
    template: Callable[[Any], bytes] | None = None
    back: str = ""  # URL name of the page the upload belongs to
    csv: bool = False  # the importer also reads CSV (dudao.core.tabular.read_rows)

    @property
    def page_title(self) -> str:
        return self.title or self.label


IMPORTERS: dict[str, RegisteredImporter] = {}


def importer(
    kind: str,
    label: str,
    *,
    title: str = "",
    help: str = "",
    template: Callable[[Any], bytes] | None = None,
    back: str = "",
    csv: bool = False,
) -> Callable[[Importer], Importer]:
    """Register `func` as the importer of `kind` (for `dudao import KIND FILE` and the web
    upload pages)."""

    def wrap(func: Importer) -> Importer:
        @functools.wraps(func)
        def paused(*args: Any, **kwargs: Any) -> ImportReport:
            with gc_paused():
                return func(*args, **kwargs)

        IMPORTERS[kind] = RegisteredImporter(kind, label, paused, title, help, template, back, csv)
        return paused

    return wrap


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run one import with Python's cyclic garbage collector paused.

    Checking a 20,000-row file allocates about a million short-lived objects (cells, rows,
    lookup tuples); every few hundred allocations the collector would walk all of them again.
    Nothing an import builds is cyclic garbage (reference counting frees it as usual), and the
    file is bounded (MAX_ROWS), so the pause costs no memory that is not freed at the end."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def discover() -> dict[str, RegisteredImporter]:
    """Import every installed app's `importers` module and return the registry."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("importers")
    return IMPORTERS
