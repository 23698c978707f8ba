"""The Excel grid of indicator values (sheet 指标填报): 单位编码, 单位名称, 统计期, then one
column per indicator headed "名称（单位）"; an empty cell is no value. Downloaded pre-filled
from the entry page, filled in and uploaded back; checked and written by the long table's
`check_and_write` (dudao.stats.importers), so every value rule is the same."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dudao.core.imports import ImportReport, RowError, importer, split_untouched
from dudao.core.xlsx import Column, Sheet, cell_decimal, cell_text, read_table
from dudao.orgs.models import Organisation
from dudao.stats.checks import UnitNames
from dudao.stats.models import Indicator, IndicatorValue
from dudao.stats.services import ValueInput

if TYPE_CHECKING:
    from dudao.accounts.models import User

GRID_SHEET = "指标填报"
GRID_FIXED = ("单位编码", "单位名称", "统计期")


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
    # the long table's module imports this one (to register it): its names are read here
    from dudao.stats.importers import _check_actor, _period, check_and_write
    from dudao.stats.value_writes import Parsed

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
    periods: dict[Any, dt.date | str] = {}
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
        period = _period(r.get("统计期"), r.number, "统计期", errors, periods)
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
