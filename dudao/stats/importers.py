"""Imports of indicator values: the long CSV for machines and the Excel grid for people.

Long format (CSV or .xlsx, one value a row), header
    org_code,period,indicator,value,yoy,base[,note,source]
or the same columns in Chinese (单位编码,统计期,指标,数值,同比增速,上年同期数[,说明,来源]).
`org_code` is the unit's organisation code or name (a park's code → its 管委会), `indicator`
its code, name or alias, `period` a month in any spelling of core/periods.parse_month_lenient
(1–N月累计 for flow indicators),
`value` in the indicator's unit (万元 for money), `yoy` the published 同比 in percent (6.4),
`base` the published same-period base; yoy, base, note and source may be empty.

Grid format (.xlsx, sheet 指标填报): 单位编码, 单位名称, 统计期, then one column per indicator
headed "名称（单位）"; an empty cell is no value. Download it pre-filled from the entry page.

Both validate the whole file first (nothing is written when any row is wrong), then write in
one transaction with one audit event. Values imported by a 填报员 are 已报送; by a 审核员 or
督查员 (e.g. the 统计局's published figures) 已审核 at once. The same file twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from dudao.audit.services import record_event
from dudao.core.exceptions import DomainError, NotAllowed
from dudao.core.imports import (
    ImportRejected,
    ImportReport,
    RowError,
    importer,
    split_untouched,
)
from dudao.core.periods import parse_month_lenient
from dudao.core.policies import require_role
from dudao.core.tabular import read_rows
from dudao.core.xlsx import (
    Column,
    Sheet,
    Table,
    cell_decimal,
    cell_text,
    read_table,
)
from dudao.orgs.models import Organisation
from dudao.stats.checks import Candidate, IndicatorNames, UnitNames, magnitude_flags
from dudao.stats.models import Indicator, IndicatorValue
from dudao.stats.services import (
    ENTRY_ROLES,
    REVIEW_ROLES,
    ValueInput,
    value_problem,
)

if TYPE_CHECKING:
    from dudao.accounts.models import User

LONG_HEADERS = ("org_code", "period", "indicator", "value", "yoy", "base")
LONG_OPTIONAL = ("note", "source")
LONG_ALIASES = {
    "单位编码": "org_code",
    "单位代码": "org_code",
    "填报单位": "org_code",
    "单位": "org_code",
    "统计期": "period",
    "月份": "period",
    "指标": "indicator",
    "指标代码": "indicator",
    "指标名称": "indicator",
    "数值": "value",
    "本期数": "value",
    "同比": "yoy",
    "同比增速": "yoy",
    "同比增速（%）": "yoy",
    "同比(%)": "yoy",
    "上年同期数": "base",
    "上年同期": "base",
    "说明": "note",
    "备注": "note",
    "来源": "source",
}
GRID_SHEET = "指标填报"
GRID_FIXED = ("单位编码", "单位名称", "统计期")
SOURCES = {c.value: c.value for c in IndicatorValue.Source} | {
    c.label: c.value for c in IndicatorValue.Source
}
S = IndicatorValue.Status


@dataclass
class Parsed:
    """One value to import, with the row it came from."""

    row: int
    org: Organisation
    indicator: Indicator
    period: dt.date
    data: ValueInput


def _check_actor(actor: User) -> str:
    """Return the status imported values get; refuse roles that may not enter values."""
    try:
        require_role(actor, *ENTRY_ROLES)
    except NotAllowed as exc:
        raise ImportRejected.whole_file(exc.message) from None
    return S.APPROVED if actor.has_role(*REVIEW_ROLES) else S.SUBMITTED


def _period(value: Any, row: int, column: str, errors: list[RowError]) -> dt.date | None:
    """A month in any accepted spelling (an Excel date cell is the month it falls in)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.append(RowError(row, column, "必填，不能为空。"))
        return None
    try:
        return parse_month_lenient(value).first_day
    except DomainError as exc:
        errors.append(RowError(row, column, exc.message))
        return None


def parse_long(
    table: Table, actor: User, notes: list[RowError] | None = None
) -> tuple[list[Parsed], list[RowError]]:
    """Check every row of the long format; return the values and every error found (and, in
    ``notes``, how a name was read, e.g. a park's code taken as its 管委会)."""
    errors: list[RowError] = []
    found = notes if notes is not None else []
    units = UnitNames(actor, (str(r.get("org_code") or "").strip() for r in table.rows))
    indicators = IndicatorNames()
    parsed: list[Parsed] = []
    for r in table.rows:
        n = r.number
        before = len(errors)
        code = cell_text(r, "org_code", errors, required=True)
        org = None
        if code:
            org, problem, note = units.find(code)
            if problem:
                errors.append(RowError(n, "org_code", problem))
            if note:
                found.append(RowError(n, "org_code", note))
        ind_code = cell_text(r, "indicator", errors, required=True)
        ind = None
        if ind_code:
            ind, problem = indicators.find(ind_code)
            if problem:
                errors.append(RowError(n, "indicator", problem))
        period = _period(r.get("period"), n, "period", errors)
        value = cell_decimal(r, "value", errors, required=True, places=4)
        yoy = cell_decimal(r, "yoy", errors, places=4)
        base = cell_decimal(r, "base", errors, places=4)
        note_text = cell_text(r, "note", errors, max_length=200)
        source_text = cell_text(r, "source", errors) or IndicatorValue.Source.STATISTICS
        source = SOURCES.get(source_text)
        if source is None:
            errors.append(RowError(n, "source", f"来源应为 {'、'.join(SOURCES)} 之一。"))
        if len(errors) > before or org is None or ind is None or period is None or value is None:
            continue
        parsed.append(
            Parsed(n, org, ind, period, ValueInput(value, yoy, base, source or "", note_text))
        )
    return parsed, errors


def check_and_write(  # noqa: PLR0912, PLR0915 - validation, then one write; kept together
    parsed: list[Parsed],
    errors: list[RowError],
    *,
    kind: str,
    filename: str,
    actor: User,
    dry_run: bool,
    keep_extras: bool = False,
    confirm_reason: str = "",
    notes: list[RowError] | None = None,
) -> ImportReport:
    """Apply every value rule, then write all or nothing (shared by both formats).

    ``keep_extras`` (the grid, which holds only values) keeps an existing row's published
    rate, base, source and note. The magnitude checks (dudao/stats/checks.py) are warnings
    of a dry run; a commit with any of them is refused unless ``confirm_reason`` is given,
    and the reason and the checks confirmed go into the audit event."""
    status = _check_actor(actor)
    candidates: list[Candidate] = []
    seen: dict[tuple[int, int, dt.date], Parsed] = {}
    for p in parsed:
        key = (p.org.pk, p.indicator.pk, p.period)
        if key in seen:
            errors.append(
                RowError(p.row, "", f"与第{seen[key].row}行重复（同一单位、指标、统计期）。")
            )
        seen[key] = p
    existing = _existing(parsed)
    if keep_extras:
        for p in parsed:
            old = existing.get((p.org.pk, p.indicator.pk, p.period))
            if old is not None:
                p.data = ValueInput(p.data.value, old.yoy_percent, old.base, old.source, old.note)
    today = timezone.localdate()
    for p in parsed:
        prev_key = None
        if p.period.month > 1:
            prev_key = (p.org.pk, p.indicator.pk, p.period.replace(month=p.period.month - 1))
        previous = None
        if prev_key is not None:
            in_file = seen.get(prev_key)
            previous = (
                in_file.data.value
                if in_file is not None
                else getattr(existing.get(prev_key), "value", None)
            )
        reference = previous
        if reference is None:
            last_year = p.period.replace(year=p.period.year - 1)
            in_file = seen.get((p.org.pk, p.indicator.pk, last_year))
            reference = (
                in_file.data.value
                if in_file is not None
                else getattr(existing.get((p.org.pk, p.indicator.pk, last_year)), "value", None)
            )
        candidates.append(
            Candidate(
                p.row,
                _column(kind, p, "value"),
                p.org,
                p.indicator,
                p.period,
                p.data.value,
                reference,
            )
        )
        problem = value_problem(p.indicator, p.period, p.data, previous, today=today)
        if problem:
            errors.append(RowError(p.row, _column(kind, p, problem[0]), problem[1]))
        current = existing.get((p.org.pk, p.indicator.pk, p.period))
        if (
            current is not None
            and status == S.SUBMITTED
            and current.status in (S.SUBMITTED, S.APPROVED)
            and _changed(current, p.data)
        ):
            errors.append(
                RowError(
                    p.row,
                    _column(kind, p, "value"),
                    f"系统中该数据状态为“{current.get_status_display()}”，填报员不能覆盖（须审核员先退回）。",
                )
            )
    if errors:
        raise ImportRejected(errors)
    flags = magnitude_flags(candidates)
    reason = (confirm_reason or "").replace("\x00", "").strip()[:200]
    if flags and not dry_run and not reason:
        raise ImportRejected(
            [
                *flags,
                RowError(
                    0,
                    "",
                    f"以上{len(flags)}处数值疑似量级有误，未写入任何数据。请改正后重新导入；"
                    "如核实无误，请在“确认原因”中写明理由后再导入。",
                ),
            ]
        )
    report = ImportReport(kind=kind, rows=len(parsed), dry_run=dry_run)
    report.warnings = [*(notes or []), *flags]
    creates: list[IndicatorValue] = []
    updates: list[IndicatorValue] = []
    changes: list[dict[str, Any]] = []
    now = timezone.now()
    for p in parsed:
        current = existing.get((p.org.pk, p.indicator.pk, p.period))
        if (
            current is not None
            and not _changed(current, p.data)
            and (
                current.status == status or (status == S.SUBMITTED and current.status == S.APPROVED)
            )
        ):
            report.unchanged += 1
            continue
        row = current or IndicatorValue(
            organisation=p.org, indicator=p.indicator, period=p.period, created_at=now
        )
        change = {
            "unit": p.org.code,
            "indicator": p.indicator.code,
            "period": f"{p.period:%Y-%m}",
            "before": None if current is None else str(current.value),
            "after": str(p.data.value),
        }
        row.value, row.yoy_percent, row.base = p.data.value, p.data.yoy_percent, p.data.base
        row.source, row.note, row.status = p.data.source, p.data.note, status
        row.entered_by, row.return_reason, row.updated_at = actor, "", now
        if status == S.APPROVED:
            row.reviewed_by, row.reviewed_at = actor, now
        if current is None:
            creates.append(row)
            report.created += 1
        else:
            row.version += 1
            updates.append(row)
            report.updated += 1
        changes.append(change)
    if dry_run or not (creates or updates):
        return report
    with transaction.atomic():
        IndicatorValue.objects.bulk_create(creates, batch_size=1000)
        IndicatorValue.objects.bulk_update(
            updates,
            [
                "value",
                "yoy_percent",
                "base",
                "source",
                "note",
                "status",
                "entered_by",
                "reviewed_by",
                "reviewed_at",
                "return_reason",
                "updated_at",
                "version",
            ],
            batch_size=1000,
        )
        record_event(
            actor=actor,
            action="stats.value.import",
            after={
                "file": filename,
                "kind": kind,
                "status": status,
                "created": report.created,
                "updated": report.updated,
                "changes": changes[:500],
                "confirmed_checks": [str(f) for f in flags[:100]],
            },
            object_repr=f"{filename}（{report.changed}条）",
            reason=reason if flags else "",
        )
    return report


def _column(kind: str, p: Parsed, field: str) -> str:
    if kind == "indicator_grid":
        return grid_header(p.indicator) if field in ("value", "note", "yoy_percent") else "统计期"
    return {"yoy_percent": "yoy", "indicator": "indicator", "period": "period"}.get(field, field)


def _changed(current: IndicatorValue, data: ValueInput) -> bool:
    return (
        current.value != data.value
        or current.yoy_percent != data.yoy_percent
        or current.base != data.base
        or current.note != data.note
    )


def _existing(parsed: list[Parsed]) -> dict[tuple[int, int, dt.date], IndicatorValue]:
    if not parsed:
        return {}
    periods = (
        {p.period for p in parsed}
        | {p.period.replace(month=p.period.month - 1) for p in parsed if p.period.month > 1}
        | {p.period.replace(year=p.period.year - 1) for p in parsed}
    )
    rows = IndicatorValue.objects.filter(
        organisation__in={p.org.pk for p in parsed},
        indicator__in={p.indicator.pk for p in parsed},
        period__in=periods,
    )
    return {(r.organisation_id, r.indicator_id, r.period): r for r in rows}


@importer("indicators", "指标数值（长表：org_code,period,indicator,value,yoy,base）")
def import_indicators(
    data: bytes, *, filename: str, actor: User, dry_run: bool, confirm_reason: str = ""
) -> ImportReport:
    """The long table: CSV (UTF-8, GBK, UTF-16 text; comma, tab or semicolon) or .xlsx, with
    the English or the Chinese header."""
    _check_actor(actor)
    table = read_rows(
        data,
        filename=filename,
        headers=LONG_HEADERS,
        optional=LONG_OPTIONAL,
        aliases=LONG_ALIASES,
    )
    notes: list[RowError] = []
    parsed, errors = parse_long(table, actor, notes)
    return check_and_write(
        parsed,
        errors,
        kind="indicators",
        filename=filename,
        actor=actor,
        dry_run=dry_run,
        confirm_reason=confirm_reason,
        notes=notes,
    )


# --- The Excel grid: units × indicators ------------------------------------------------------


def grid_indicators() -> list[Indicator]:
    """The monthly grid's columns (annual indicators have a figure only for the year)."""
    return list(
        Indicator.objects.filter(
            is_active=True, numerator=None, frequency=Indicator.Frequency.MONTHLY
        )
    )


def grid_header(indicator: Indicator) -> str:
    return f"{indicator.name}（{indicator.unit}）"


def grid_workbook(units: Sequence[Organisation], period: dt.date) -> bytes:
    """The grid for one month, pre-filled with the values already in the system."""
    from dudao.core.xlsx import workbook_bytes

    indicators = grid_indicators()
    values = {
        (v.organisation_id, v.indicator_id): v.value
        for v in IndicatorValue.objects.filter(organisation__in=units, period=period)
    }
    rows = [
        [u.code, u.name, f"{period:%Y-%m}", *(values.get((u.pk, i.pk)) for i in indicators)]
        for u in units
    ]
    columns = [
        Column("单位编码", 16),
        Column("单位名称", 30),
        Column("统计期", 10, comment="YYYY-MM；流量指标填1–N月累计数"),
        *(Column(grid_header(i), 16, kind="decimal2") for i in indicators),
    ]
    notes = Sheet(
        "填报说明",
        [Column("说明", 100)],
        [
            ["金额单位为万元；流量指标填1–N月累计数；1月不单独填报的指标在2月填1–2月累计数。"],
            ["空白单元格表示不填报该项；不要修改表头、不要合并单元格、不要使用公式。"],
            ["累计数小于上月的（数据修订），请改用长表导入并在 note 列说明原因。"],
        ],
    )
    return workbook_bytes([Sheet(GRID_SHEET, columns, rows, locked_columns=3), notes])


@importer("indicator_grid", "指标数值（Excel 网格：单位 × 指标）")
def import_indicator_grid(
    data: bytes, *, filename: str, actor: User, dry_run: bool, confirm_reason: str = ""
) -> ImportReport:
    """The grid downloaded from the entry page, filled in and uploaded back."""
    _check_actor(actor)
    indicators = grid_indicators()
    headers = {grid_header(i): i for i in indicators}
    table = read_table(
        data,
        sheet=GRID_SHEET,
        headers=GRID_FIXED,
        optional_headers=list(headers),
        allowed_other_sheets=("填报说明", "说明"),
    )
    errors: list[RowError] = []
    notes: list[RowError] = []
    # a unit's row with no indicator filled in is skipped (未填写，已跳过), not checked
    rows, skipped = split_untouched(table.rows, [h for h in headers if h in table.headers])
    units = UnitNames(actor, (str(r.get("单位编码") or "").strip() for r in rows))
    parsed: list[Parsed] = []
    for r in rows:
        code = cell_text(r, "单位编码", errors, required=True)
        org = None
        if code:
            org, problem, note = units.find(code)
            if problem:
                errors.append(RowError(r.number, "单位编码", problem))
            if note:
                notes.append(RowError(r.number, "单位编码", note))
        period = _period(r.get("统计期"), r.number, "统计期", errors)
        for header, ind in headers.items():
            if header not in table.headers:
                continue
            value = cell_decimal(r, header, errors, places=4)
            if value is None or org is None or period is None:
                continue
            parsed.append(
                Parsed(
                    r.number, org, ind, period, ValueInput(value, source=IndicatorValue.Source.SELF)
                )
            )
    if not any(h in table.headers for h in headers):
        errors.append(RowError(0, "", "文件中没有任何指标列，请使用系统下载的模板。"))
    elif not rows and table.rows:
        errors.append(RowError(0, "", f"文件中的 {len(skipped)} 行都没有填写任何指标数值。"))
    report = check_and_write(
        parsed,
        errors,
        kind="indicator_grid",
        filename=filename,
        actor=actor,
        dry_run=dry_run,
        keep_extras=True,
        confirm_reason=confirm_reason,
        notes=notes,
    )
    report.skipped, report.skipped_rows = len(skipped), skipped
    return report


# The indicator catalogue's import has its own module; importing it here registers it.
from dudao.stats.catalogue_import import import_indicator_catalogue  # noqa: E402

__all__ = ["import_indicator_catalogue"]
