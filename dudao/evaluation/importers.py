"""Excel imports of 省级考评 (`dudao import KIND FILE --as USER [--dry-run]`, the web upload and
the same functions): raw indicator values, and the province's published ranking, titles and
star lists. The whole file is checked first (every error with row and column); then it is
written in one transaction, or — for a dry run — written and rolled back, so the report says
exactly what a real import would do. The same file twice changes nothing the second time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from dudao.core.exceptions import DomainError
from dudao.core.imports import ImportRejected, ImportReport, RowError, importer
from dudao.core.xlsx import Column, Row, Sheet, cell_decimal, cell_int, cell_text, read_table
from dudao.evaluation import services
from dudao.evaluation.models import InputValue, Regime, TitleKind
from dudao.parks.selectors import reference_parks

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.parks.models import Park

SHEET = "数据"
REGIME, YEAR, PARK = "考评体系编码", "年度", "园区编码"
CODE, VALUE, NOTE = "指标编码", "数值", "备注"
SCORE, RANK, DOC = "综合得分", "综合排名", "依据文件"
TITLE, STARS, FIRST = "称号", "星级", "首次晋级"

HEADERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "evaluation-inputs": ((REGIME, YEAR, PARK, CODE, VALUE), (NOTE,)),
    "evaluation-results": ((REGIME, YEAR, PARK, SCORE, RANK), (DOC,)),
    "evaluation-titles": ((REGIME, YEAR, PARK, TITLE), (DOC,)),
    "evaluation-stars": ((REGIME, YEAR, PARK, STARS), (FIRST, DOC)),
}
NOTES: dict[str, list[str]] = {
    "evaluation-inputs": [
        "每行一个园区一个指标（或一票否决事项）的年度原始数值。",
        "指标编码为考评体系中配置的编码；否决事项填 1（有）或 0（无）。",
        "数值为空的行表示删除该项已录入的数值。",
    ],
    "evaluation-results": [
        "省级公布的综合排名：每行一个园区。综合排名为空表示取消考评资格、不参与排名。",
        "同一体系同一年度的结果整体替换；“十强”“十快”按排名自动生成。",
    ],
    "evaluation-titles": [
        "称号填：十强、十快、十先进、优秀。导入的名单为省级公布事实，优先于按排名计算的名单。",
    ],
    "evaluation-stars": [
        "星级为省级授予的星级（整数），首次晋级填 是/否。",
        "授予的星级与按星级条件计算的“可评星级”分开显示。",
    ],
}
_COMMON_NOTES = [
    "园区编码见“园区”模块；考评体系编码见“考评体系”页面。",
    "只保留本工作表和“说明”工作表；不要合并单元格，不要使用公式。",
]
TITLE_BY_LABEL = {label: value for value, label in TitleKind.choices}


@dataclass
class Keyed:
    """A row's regime, year and park once they have been checked."""

    regime: Regime
    year: int
    park: Park


def _keys(rows: Sequence[Row], errors: list[RowError]) -> dict[int, Keyed]:
    """Resolve 考评体系编码/年度/园区编码 of every row (three queries for the whole file)."""
    codes = {cell_text(r, REGIME, []) for r in rows}
    regimes = services.regimes_by_code(codes)
    parks = {
        p.code: p for p in reference_parks().filter(code__in={cell_text(r, PARK, []) for r in rows})
    }
    out: dict[int, Keyed] = {}
    for row in rows:
        code = cell_text(row, REGIME, errors, required=True)
        year = cell_int(row, YEAR, errors, required=True, minimum=2000)
        park_code = cell_text(row, PARK, errors, required=True)
        regime = regimes.get(code)
        park = parks.get(park_code)
        if code and regime is None:
            errors.append(RowError(row.number, REGIME, f"没有编码为「{code}」的考评体系。"))
        if park_code and park is None:
            errors.append(RowError(row.number, PARK, f"没有编码为「{park_code}」的园区。"))
        if year is not None and year > timezone.localdate().year:
            errors.append(
                RowError(row.number, YEAR, f"{year}年尚未到来，不能导入该年度的考评数据。")
            )
            continue
        if regime is not None and year is not None and not regime.covers(year):
            errors.append(
                RowError(
                    row.number,
                    YEAR,
                    f"{year}年不在「{regime.name}」的适用年度（{regime.years_label}）内。",
                )
            )
            continue
        if regime is not None and park is not None and year is not None:
            out[row.number] = Keyed(regime, year, park)
    return out


def _run(
    kind: str,
    rows: int,
    dry_run: bool,
    write: Callable[[], services.Changes],
) -> ImportReport:
    """Write through the services in one transaction; a dry run rolls it back."""
    report = ImportReport(kind=kind, rows=rows, dry_run=dry_run)
    try:
        with transaction.atomic():
            changes = write()
            if dry_run:
                transaction.set_rollback(True)
    except DomainError as exc:
        raise ImportRejected.whole_file(exc.message) from None
    report.created = changes.created
    report.updated = changes.updated + changes.deleted
    report.unchanged = changes.unchanged
    return report


def _each(
    groups: Mapping[tuple[int, int], Any],
    regimes: Mapping[int, Regime],
    write: Callable[[Regime, int, Any], services.Changes],
) -> services.Changes:
    """Write each (regime, year) group through a service and add up what they did."""
    total = services.Changes()
    for (regime_id, year), payload in sorted(groups.items()):
        total.add(write(regimes[regime_id], year, payload))
    return total


def _table(kind: str, data: bytes) -> tuple[list[Row], list[RowError]]:
    required, optional = HEADERS[kind]
    table = read_table(data, sheet=SHEET, headers=required, optional_headers=optional)
    if not table.rows:
        raise ImportRejected.whole_file("文件中没有数据行。")
    return table.rows, []


def _check_done(keys: dict[int, tuple[Any, ...]], errors: list[RowError], what: str) -> None:
    """Add an error for every row repeating an earlier one's key; raise if anything is wrong."""
    seen: dict[tuple[Any, ...], int] = {}
    for number, key in sorted(keys.items()):
        if key in seen:
            errors.append(
                RowError(number, "", f"与第{seen[key]}行重复（同一{what}只能出现一次）。")
            )
        else:
            seen[key] = number
    if errors:
        raise ImportRejected(errors)


@importer("evaluation-inputs", "考评原始数据")
def import_inputs(data: bytes, *, filename: str, actor: User, dry_run: bool) -> ImportReport:
    """Rows of (regime, year, park, indicator or gate code, value); empty value removes it."""
    rows, errors = _table("evaluation-inputs", data)
    keyed = _keys(rows, errors)
    groups: dict[tuple[int, int], dict[tuple[int, str], Decimal | None]] = defaultdict(dict)
    regimes: dict[int, Regime] = {}
    known: dict[int, dict[str, str]] = {}
    seen: dict[int, tuple[Any, ...]] = {}
    for row in rows:
        code = cell_text(row, CODE, errors, required=True)
        value = cell_decimal(row, VALUE, errors, places=4)
        k = keyed.get(row.number)
        if k is None or not code:
            continue
        if k.regime.pk not in known:
            known[k.regime.pk] = services.input_codes(k.regime)
        if code not in known[k.regime.pk]:
            errors.append(
                RowError(
                    row.number, CODE, f"「{k.regime.name}」没有编码为「{code}」的指标或否决事项。"
                )
            )
            continue
        seen[row.number] = (k.regime.pk, k.year, k.park.pk, code)
        regimes[k.regime.pk] = k.regime
        groups[(k.regime.pk, k.year)][(k.park.pk, code)] = value
    _check_done(seen, errors, "体系、年度、园区和指标")

    def write(regime: Regime, year: int, values: Any) -> services.Changes:
        return services._set_inputs(
            actor=actor, regime=regime, year=year, values=values, reason=f"导入文件 {filename}"
        )

    return _run("evaluation-inputs", len(rows), dry_run, lambda: _each(groups, regimes, write))


@importer("evaluation-results", "省级公布的综合排名")
def import_results(data: bytes, *, filename: str, actor: User, dry_run: bool) -> ImportReport:
    """The province's published ranking: one row per park; each (regime, year) is replaced."""
    rows, errors = _table("evaluation-results", data)
    keyed = _keys(rows, errors)
    groups: dict[tuple[int, int], list[services.PublishedRow]] = defaultdict(list)
    docs: dict[tuple[int, int], tuple[str, int]] = {}
    regimes: dict[int, Regime] = {}
    seen: dict[int, tuple[Any, ...]] = {}
    for row in rows:
        score = cell_decimal(row, SCORE, errors, places=4)
        rank = cell_int(row, RANK, errors, minimum=1)
        doc = cell_text(row, DOC, errors, max_length=200)
        k = keyed.get(row.number)
        if k is None:
            continue
        group = (k.regime.pk, k.year)
        if group in docs and docs[group][0] != doc:
            errors.append(
                RowError(
                    row.number, DOC, f"同一体系同一年度的依据文件应相同（见第{docs[group][1]}行）。"
                )
            )
        docs.setdefault(group, (doc, row.number))
        seen[row.number] = (k.regime.pk, k.year, k.park.pk)
        regimes[k.regime.pk] = k.regime
        groups[group].append(services.PublishedRow(k.park, score, rank))
    _check_done(seen, errors, "体系、年度和园区")

    def write(regime: Regime, year: int, published: Any) -> services.Changes:
        doc = docs[(regime.pk, year)][0]
        return services._publish_results(
            actor=actor, regime=regime, year=year, rows=published, source_doc=doc
        )

    return _run("evaluation-results", len(rows), dry_run, lambda: _each(groups, regimes, write))


@importer("evaluation-titles", "省级公布的称号名单")
def import_titles(data: bytes, *, filename: str, actor: User, dry_run: bool) -> ImportReport:
    """Published titles (十先进、优秀; a published 十强/十快 list replaces the computed one)."""
    rows, errors = _table("evaluation-titles", data)
    keyed = _keys(rows, errors)
    out: list[services.TitleRow] = []
    seen: dict[int, tuple[Any, ...]] = {}
    for row in rows:
        label = cell_text(row, TITLE, errors, required=True)
        doc = cell_text(row, DOC, errors, max_length=200)
        kind = TITLE_BY_LABEL.get(label)
        if label and kind is None:
            errors.append(
                RowError(
                    row.number, TITLE, f"称号应为{'、'.join(TITLE_BY_LABEL)}之一，实为「{label}」。"
                )
            )
        k = keyed.get(row.number)
        if k is None or kind is None:
            continue
        seen[row.number] = (k.regime.pk, k.year, k.park.pk, kind)
        out.append(services.TitleRow(k.regime, k.year, k.park, kind, doc))
    _check_done(seen, errors, "体系、年度、园区和称号")
    return _run(
        "evaluation-titles",
        len(rows),
        dry_run,
        lambda: services._import_titles(actor=actor, rows=out),
    )


@importer("evaluation-stars", "省级公布的星级名单")
def import_stars(data: bytes, *, filename: str, actor: User, dry_run: bool) -> ImportReport:
    """Star levels awarded by the province (facts)."""
    rows, errors = _table("evaluation-stars", data)
    keyed = _keys(rows, errors)
    out: list[services.StarRow] = []
    seen: dict[int, tuple[Any, ...]] = {}
    for row in rows:
        level = cell_int(row, STARS, errors, required=True, minimum=1)
        first = cell_text(row, FIRST, errors)
        doc = cell_text(row, DOC, errors, max_length=200)
        if first not in ("", "是", "否"):
            errors.append(RowError(row.number, FIRST, f"应填“是”或“否”，实为「{first}」。"))
        k = keyed.get(row.number)
        if k is None or level is None:
            continue
        seen[row.number] = (k.regime.pk, k.year, k.park.pk)
        out.append(services.StarRow(k.regime, k.year, k.park, level, first == "是", doc))
    _check_done(seen, errors, "体系、年度和园区")
    return _run(
        "evaluation-stars",
        len(rows),
        dry_run,
        lambda: services._import_stars(actor=actor, rows=out),
    )


def template_sheets(kind: str, rows: Sequence[Sequence[Any]] = ()) -> list[Sheet]:
    """The import template of `kind` (optionally pre-filled) with its 说明 sheet."""
    required, optional = HEADERS[kind]
    columns = [Column(h, 16 if h != DOC else 30) for h in (*required, *optional)]
    notes = [*NOTES[kind], *_COMMON_NOTES]
    return [
        Sheet(SHEET, columns, rows),
        Sheet("说明", [Column("说明", 100)], [[n] for n in notes]),
    ]


def inputs_rows(regime: Regime, year: int) -> list[list[Any]]:
    """Every active park × (indicators, gates) of a regime, with the stored values."""
    codes = list(services.input_codes(regime))
    values = {
        (v.park_id, v.code): (v.value, v.note)
        for v in InputValue.objects.filter(regime=regime, year=year)
    }
    rows: list[list[Any]] = []
    for park in (
        reference_parks().filter(is_active=True).order_by("city_region_id", "sort_order", "code")
    ):
        for code in codes:
            value, note = values.get((park.pk, code), (None, ""))
            rows.append([regime.code, year, park.code, code, value, note])
    return rows
