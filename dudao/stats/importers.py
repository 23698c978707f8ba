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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from dudao.core import columns, importplans
from dudao.core.exceptions import DomainError, NotAllowed
from dudao.core.imports import (
    ImportRejected,
    ImportReport,
    RowError,
    importer,
)
from dudao.core.periods import parse_month_lenient
from dudao.core.policies import require_role
from dudao.core.tabular import read_rows
from dudao.core.xlsx import (
    Row,
    Table,
    cell_decimal,
    cell_text,
)
from dudao.orgs.models import Organisation
from dudao.stats.checks import (
    Candidate,
    IndicatorNames,
    UnitNames,
    magnitude_facts,
    magnitude_flags,
)
from dudao.stats.models import IndicatorValue
from dudao.stats.services import (
    ENTRY_ROLES,
    REVIEW_ROLES,
    ValueInput,
    value_problem,
)
from dudao.stats.value_writes import (
    Parsed,
    S,
    _changed,
    _column,
    _existing,
    _write_values,
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
SOURCES = {c.value: c.value for c in IndicatorValue.Source} | {
    c.label: c.value for c in IndicatorValue.Source
}


def _check_actor(actor: User) -> str:
    """Return the status imported values get; refuse roles that may not enter values."""
    try:
        require_role(actor, *ENTRY_ROLES)
    except NotAllowed as exc:
        raise ImportRejected.whole_file(exc.message) from None
    return S.APPROVED if actor.has_role(*REVIEW_ROLES) else S.SUBMITTED


def _period(
    value: Any,
    row: int,
    column: str,
    errors: list[RowError],
    seen: dict[Any, dt.date | str] | None = None,
) -> dt.date | None:
    """A month in any accepted spelling (an Excel date cell is the month it falls in).
    ``seen``: the file's spellings read so far (a file has a few periods over many rows)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.append(RowError(row, column, "必填，不能为空。"))
        return None
    key = (type(value), value)
    known = seen.get(key) if seen is not None else None
    if known is None:
        try:
            known = parse_month_lenient(value).first_day
        except DomainError as exc:
            known = exc.message
        if seen is not None:
            seen[key] = known
    if isinstance(known, str):
        errors.append(RowError(row, column, known))
        return None
    return known


def parse_long(
    table: Table,
    actor: User,
    notes: list[RowError] | None = None,
    names: tuple[UnitNames, IndicatorNames] | None = None,
) -> tuple[list[Parsed], list[RowError]]:
    """Check every row of the long format; return the values and every error found (and, in
    ``notes``, how a name was read, e.g. a park's code taken as its 管委会).

    Column by column first (dudao.core.columns: the cell readers' acceptance, each distinct
    unit, indicator and period looked up once); a row with anything else goes through
    `_long_row` and its cell readers, in file order, for the same errors and notes."""
    errors: list[RowError] = []
    found = notes if notes is not None else []
    units, indicators = names or _names(actor, table)
    periods: dict[Any, dt.date | str] = {}
    rows = table.rows

    def column(name: str) -> list[Any]:
        return [r.values.get(name) for r in rows]

    codes, slow = columns.texts(column("org_code"))
    ind_codes, bad = columns.texts(column("indicator"))
    slow |= bad
    values, bad = columns.amounts(column("value"), places=4)
    slow |= bad
    yoys, bad = columns.amounts(column("yoy"), places=4, blank_ok=True)
    slow |= bad
    bases, bad = columns.amounts(column("base"), places=4, blank_ok=True)
    slow |= bad
    note_texts, bad = columns.texts(column("note"), 200)
    slow |= bad
    source_texts, bad = columns.texts(column("source"))
    slow |= bad
    unit_of = {c: units.find(c) for c in set(codes) if c}
    indicator_of = {c: indicators.find(c) for c in set(ind_codes) if c}
    parsed: list[Parsed] = []
    for i, r in enumerate(rows):
        unit = unit_of.get(codes[i])
        ind = indicator_of.get(ind_codes[i])
        source = SOURCES.get(source_texts[i] or IndicatorValue.Source.STATISTICS)
        raw_period = r.values.get("period")
        period = periods.get((type(raw_period), raw_period)) if raw_period is not None else None
        if (
            i in slow
            or unit is None
            or unit[1]
            or ind is None
            or ind[1]
            or source is None
            or not isinstance(period, dt.date)
        ):
            _long_row(
                r,
                units=units,
                indicators=indicators,
                periods=periods,
                parsed=parsed,
                errors=errors,
                found=found,
            )
            continue
        if unit[2]:
            found.append(RowError(r.number, "org_code", unit[2]))
        data = ValueInput(values[i], yoys[i], bases[i], source, note_texts[i])
        parsed.append(Parsed(r.number, unit[0], ind[0], period, data))  # type: ignore[arg-type]
    return parsed, errors


def _long_row(
    r: Row,
    *,
    units: UnitNames,
    indicators: IndicatorNames,
    periods: dict[Any, dt.date | str],
    parsed: list[Parsed],
    errors: list[RowError],
    found: list[RowError],
) -> None:
    """One row of the long format through the cell readers (every refusal with its column)."""
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
    period = _period(r.get("period"), n, "period", errors, periods)
    value = cell_decimal(r, "value", errors, required=True, places=4)
    yoy = cell_decimal(r, "yoy", errors, places=4)
    base = cell_decimal(r, "base", errors, places=4)
    note_text = cell_text(r, "note", errors, max_length=200)
    source_text = cell_text(r, "source", errors) or IndicatorValue.Source.STATISTICS
    source = SOURCES.get(source_text)
    if source is None:
        errors.append(RowError(n, "source", f"来源应为 {'、'.join(SOURCES)} 之一。"))
    if len(errors) > before or org is None or ind is None or period is None or value is None:
        return
    parsed.append(
        Parsed(n, org, ind, period, ValueInput(value, yoy, base, source or "", note_text))
    )


def check_and_write(  # noqa: PLR0912 - validation, then one write; kept together
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
    keep: tuple[bytes, Any] | None = None,
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
                    f"系统中该数据状态为“{S(current.status).label}”，填报员不能覆盖（须审核员先退回）。",
                )
            )
    if errors:
        raise ImportRejected(errors)
    facts = magnitude_facts(candidates)
    flags = magnitude_flags(candidates, facts)
    report = _write_values(
        parsed,
        existing,
        flags,
        status=status,
        kind=kind,
        filename=filename,
        actor=actor,
        dry_run=dry_run,
        confirm_reason=confirm_reason,
        notes=notes,
    )
    if keep is not None and dry_run and report.changed:
        data, names = keep
        importplans.keep(
            kind,
            actor.pk,
            data,
            (),
            basis=(status, names, existing, facts.basis),
            plan=_Kept(parsed, candidates, flags, notes or []),
        )
    return report


@importer("indicators", "指标数值（长表：org_code,period,indicator,value,yoy,base）")
def import_indicators(
    data: bytes, *, filename: str, actor: User, dry_run: bool, confirm_reason: str = ""
) -> ImportReport:
    """The long table: CSV (UTF-8, GBK, UTF-16 text; comma, tab or semicolon) or .xlsx, with
    the English or the Chinese header."""
    _check_actor(actor)
    if not dry_run:
        done = _commit_kept(data, filename=filename, actor=actor, confirm_reason=confirm_reason)
        if done is not None:
            return done
    table = read_rows(
        data,
        filename=filename,
        headers=LONG_HEADERS,
        optional=LONG_OPTIONAL,
        aliases=LONG_ALIASES,
    )
    names = _names(actor, table)
    notes: list[RowError] = []
    parsed, errors = parse_long(table, actor, notes, names)
    return check_and_write(
        parsed,
        errors,
        kind="indicators",
        filename=filename,
        actor=actor,
        dry_run=dry_run,
        confirm_reason=confirm_reason,
        notes=notes,
        keep=(data, (table_texts(table), _names_basis(*names))),
    )


@dataclass
class _Kept:
    """A long table's dry run, kept for its commit (dudao.core.importplans)."""

    parsed: list[Parsed]
    candidates: list[Candidate]
    flags: list[RowError]
    notes: list[RowError]


def table_texts(table: Table) -> tuple[str, ...]:
    """The unit names a table asks for (what `UnitNames` looks up)."""
    return tuple(sorted({str(r.get("org_code") or "").strip() for r in table.rows}))


def _names(actor: User, table: Table | tuple[str, ...]) -> tuple[UnitNames, IndicatorNames]:
    texts = table if isinstance(table, tuple) else table_texts(table)
    return UnitNames(actor, texts), IndicatorNames()


def _org_values(org: Organisation) -> tuple[Any, ...]:
    return (org.pk, org.code, org.name, org.short_name, org.kind, org.path, org.depth)


def _names_basis(units: UnitNames, indicators: IndicatorNames) -> tuple[Any, ...]:
    """Everything the name lookups read, as comparable values."""
    return (
        sorted((k, _org_values(o)) for k, o in units.units.items()),
        sorted((k, c, _org_values(o)) for k, (c, o) in units.park_units.items()),
        sorted((k, importplans.stored_values(i)) for k, i in indicators.by_key.items()),
    )


def _commit_kept(
    data: bytes, *, filename: str, actor: User, confirm_reason: str
) -> ImportReport | None:
    """The commit of a long table whose dry run this process kept: its checked values written
    when every lookup the checks read still gives the same rows (in the write's transaction),
    the magnitude checks' reason rule applied as always; None — the full import — otherwise."""
    kept = importplans.take("indicators", actor.pk, data, ())
    if kept is None:
        return None
    basis, plan = kept
    assert isinstance(plan, _Kept)  # noqa: S101 - only this module keeps "indicators" plans
    status, (texts, names) = basis[0], basis[1]
    with transaction.atomic():
        existing = _existing(plan.parsed)
        if (
            _check_actor(actor) != status
            or _names_basis(*_names(actor, texts)) != names
            or existing != basis[2]
            or magnitude_facts(plan.candidates).basis != basis[3]
        ):
            return None
        return _write_values(
            plan.parsed,
            existing,
            plan.flags,
            status=status,
            kind="indicators",
            filename=filename,
            actor=actor,
            dry_run=False,
            confirm_reason=confirm_reason,
            notes=plan.notes,
        )


# The Excel grid and the indicator catalogue's import have their own modules; importing them
# here registers them and keeps their names readable through this module.
from dudao.stats.catalogue_import import import_indicator_catalogue  # noqa: E402
from dudao.stats.grid_import import (  # noqa: E402
    GRID_FIXED,
    GRID_SHEET,
    grid_header,
    grid_indicators,
    grid_workbook,
    import_indicator_grid,
)

__all__ = [
    "GRID_FIXED",
    "GRID_SHEET",
    "grid_header",
    "grid_indicators",
    "grid_workbook",
    "import_indicator_catalogue",
    "import_indicator_grid",
]
