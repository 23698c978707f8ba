"""Import of a year's target sheet (年度目标任务表) from Excel or CSV:
`dudao import targets FILE --as USERNAME`, the web upload (with 试导入) and the same function.

Columns (first sheet, header in row 1):
    required  年度, 下达单位, 责任单位, 指标, 目标类型 (绝对量/增速/个数/占比), 目标值
    optional  文号, 目标表名称, 权重 (default 1), 分类 (一类/二类/三类 …),
              月度序时 (12 cumulative percents separated by 、 , ； or spaces, ending at 100)

Units are named by organisation code, full name or short name; 指标 by code or name. 目标值 is
written as the sheet prints it: an amount in 亿元 (stored in 万元), a count, or a percent for
增速/占比 (8 means 8%). One file holds one sheet (one 年度 and one 下达单位).

The whole file is checked first (every error with its row and column, nothing written), then
written in one transaction. The same file twice changes nothing; a sheet already 下达 cannot
be changed by a file (a change after approval is made on the page, with a reason).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING

from dudao.core.bounds import year_ok
from dudao.core.exceptions import DomainError
from dudao.core.imports import ImportRejected, ImportReport, RowError, importer
from dudao.core.numbers import yi_to_wan
from dudao.core.tabular import read_rows
from dudao.core.xlsx import Row, cell_decimal, cell_int, cell_text
from dudao.orgs.models import Organisation
from dudao.targets import rules, services
from dudao.targets.models import TargetIndicator, TargetRow, TargetSet

if TYPE_CHECKING:
    from dudao.accounts.models import User

KIND = "targets"
REQUIRED = ["年度", "下达单位", "责任单位", "指标", "目标类型", "目标值"]
OPTIONAL = ["文号", "目标表名称", "权重", "分类", "月度序时"]
KINDS = {label: value for value, label in TargetRow.Kind.choices}
_SPLIT = re.compile(r"[、,，；;\s]+")


def _org_index(orgs: list[Organisation]) -> dict[str, Organisation]:
    index: dict[str, Organisation] = {}
    for o in orgs:
        for key in (o.code, o.name, o.short_name):
            if key:
                index.setdefault(key.strip(), o)
    return index


def _curve(row: Row, errors: list[RowError]) -> tuple[Decimal, ...]:
    text = cell_text(row, "月度序时", errors, max_length=200)
    if not text:
        return ()
    try:
        values = tuple(Decimal(v) for v in _SPLIT.split(text.strip()) if v)
    except ArithmeticError:
        errors.append(RowError(row.number, "月度序时", "只能填数字（1–12月累计百分数）。"))
        return ()
    problem = rules.check_curve(values)
    if problem:
        errors.append(RowError(row.number, "月度序时", problem))
        return ()
    return values


def parse(  # noqa: PLR0912, PLR0915 - one pass over the rows, each check beside its column
    data: bytes, *, filename: str, actor: User
) -> tuple[int, Organisation, str, str, list[services.SheetLine]]:
    """Read and check the whole file; raise ImportRejected with every error found."""
    table = read_rows(data, filename=filename, headers=REQUIRED, optional=OPTIONAL)
    visible = list(Organisation.objects.visible_to(actor).filter(is_active=True))
    units = _org_index(visible)
    # The issuer may be the actor's own unit or one above it (the province's sheet to the city).
    above = [
        o
        for o in Organisation.objects.filter(is_active=True)
        if actor.organisation is not None and actor.organisation.path.startswith(o.path)
    ]
    issuers = _org_index([*visible, *above])
    indicators: dict[str, TargetIndicator] = {}
    for known in TargetIndicator.objects.filter(is_active=True):
        indicators[known.code] = known
        indicators[known.name] = known
    errors: list[RowError] = []
    lines: list[services.SheetLine] = []
    years: set[int] = set()
    issuer_found: set[int] = set()
    issuer: Organisation | None = None
    documents: set[str] = set()
    titles: set[str] = set()
    seen: dict[tuple[int, int, str], int] = {}
    for row in table.rows:
        before = len(errors)
        year = cell_int(row, "年度", errors, required=True, minimum=1)
        if year is not None and not year_ok(year):
            errors.append(RowError(row.number, "年度", f"年度超出允许范围，实为 {year}。"))
        elif year is not None:
            years.add(year)
        issuer_name = cell_text(row, "下达单位", errors, required=True)
        row_issuer = issuers.get(issuer_name) if issuer_name else None
        if issuer_name and row_issuer is None:
            errors.append(
                RowError(
                    row.number, "下达单位", f"找不到单位「{issuer_name}」，或不是本单位及上级单位。"
                )
            )
        elif row_issuer is not None:
            issuer_found.add(row_issuer.pk)
            issuer = row_issuer
        unit_name = cell_text(row, "责任单位", errors, required=True)
        unit = units.get(unit_name) if unit_name else None
        if unit_name and unit is None:
            errors.append(
                RowError(
                    row.number, "责任单位", f"找不到单位「{unit_name}」，或不在您的数据范围内。"
                )
            )
        ind_name = cell_text(row, "指标", errors, required=True)
        ind = indicators.get(ind_name) if ind_name else None
        if ind_name and ind is None:
            errors.append(
                RowError(row.number, "指标", f"没有指标「{ind_name}」，请先在目标指标中定义。")
            )
        kind_label = cell_text(row, "目标类型", errors, required=True)
        kind = KINDS.get(kind_label)
        if kind_label and kind is None:
            errors.append(
                RowError(row.number, "目标类型", f"应为 {'/'.join(KINDS)}，实为「{kind_label}」。")
            )
        value = cell_decimal(row, "目标值", errors, required=True, places=4)
        weight = cell_decimal(row, "权重", errors, minimum=Decimal(0), places=2)
        if weight is not None and weight > Decimal(100):
            errors.append(RowError(row.number, "权重", f"不能大于100，实为 {weight}。"))
        class_name = cell_text(row, "分类", errors, max_length=20)
        curve = _curve(row, errors)
        documents.add(cell_text(row, "文号", errors, max_length=80))
        titles.add(cell_text(row, "目标表名称", errors, max_length=120))
        if ind is not None and kind is not None:
            if kind in rules.RATE_KINDS and ind.source == TargetIndicator.Source.PROJECTS:
                errors.append(
                    RowError(
                        row.number,
                        "目标类型",
                        f"「{ind.name}」来自重大项目，只能设绝对量或个数目标。",
                    )
                )
            if kind in rules.RATE_KINDS and curve:
                errors.append(RowError(row.number, "月度序时", "增速、占比目标不设月度序时。"))
        if value is not None and kind in ("absolute", "count") and value < 0:
            errors.append(RowError(row.number, "目标值", f"不能小于 0，实为 {value}。"))
        if unit is not None and ind is not None and kind is not None:
            key = (unit.pk, ind.pk, kind)
            if key in seen:
                errors.append(
                    RowError(
                        row.number,
                        "指标",
                        f"与第 {seen[key]} 行重复（同一责任单位、指标和目标类型）。",
                    )
                )
            seen[key] = row.number
        if len(errors) > before or unit is None or ind is None or kind is None or value is None:
            continue
        stored = yi_to_wan(value) if kind == "absolute" and ind.unit == "万元" else value
        lines.append(
            services.SheetLine(
                line=row.number,
                unit=unit,
                indicator=ind,
                kind=kind,
                target_value=stored,
                weight=weight if weight is not None else Decimal(1),
                curve=curve,
                class_name=class_name,
            )
        )
    if not table.rows:
        errors.append(RowError(0, "", "文件中没有目标。"))
    if len(years) > 1:
        errors.append(RowError(0, "年度", "一个文件只能包含一个年度的目标。"))
    if len(issuer_found) > 1:
        errors.append(RowError(0, "下达单位", "一个文件只能包含一个下达单位的目标。"))
    documents.discard("")
    if len(documents) > 1:
        errors.append(RowError(0, "文号", "一个文件只能有一个文号。"))
    if issuer is not None:
        for line in lines:
            if line.unit.pk == issuer.pk or not line.unit.path.startswith(issuer.path):
                errors.append(
                    RowError(
                        line.line, "责任单位", f"「{line.unit.name}」不是{issuer.name}的下级单位。"
                    )
                )
    if issuer is None and not errors:
        errors.append(RowError(0, "下达单位", "文件中没有有效的下达单位。"))
    if errors or issuer is None:
        raise ImportRejected(errors)
    titles.discard("")
    return years.pop(), issuer, next(iter(documents), ""), next(iter(titles), ""), lines


@importer(KIND, "年度目标任务表")
def import_targets(data: bytes, *, filename: str, actor: User, dry_run: bool) -> ImportReport:
    year, issuer, document, title, lines = parse(data, filename=filename, actor=actor)
    plan = services.plan_sheet(year=year, issuer=issuer, lines=lines)
    report = ImportReport(
        kind=KIND,
        rows=len(lines),
        created=len(plan.created),
        updated=len(plan.updated),
        unchanged=plan.unchanged,
        dry_run=dry_run,
    )
    if (
        plan.target_set is not None
        and plan.target_set.status == TargetSet.Status.APPROVED
        and (plan.created or plan.updated)
    ):
        first = plan.created[0].line if plan.created else plan.updated[0][1].line
        raise ImportRejected(
            [
                RowError(
                    first,
                    "目标值",
                    "该目标表已下达，不能用文件修改；请在目标表页面逐行修改并填写修改理由。",
                )
            ]
        )
    if dry_run:
        return report
    try:
        services.import_sheet(
            actor=actor, year=year, issuer=issuer, document=document, title=title, lines=lines
        )
    except DomainError as exc:
        raise ImportRejected.whole_file(exc.message) from None
    return report


RANK_KIND = "target_ranks"
RANK_REQUIRED = ["年度", "月份", "单位", "指标", "全省位次"]
RANK_OPTIONAL = ["参评单位数"]


@importer(RANK_KIND, "全省可比位次")
def import_ranks(  # noqa: PLR0912 - one check per column
    data: bytes, *, filename: str, actor: User, dry_run: bool
) -> ImportReport:
    """The province's published ranks (年度, 月份, 单位, 指标, 全省位次, 参评单位数): shown beside
    the targets, never computed. All-or-nothing; the same file twice changes nothing."""
    table = read_rows(data, filename=filename, headers=RANK_REQUIRED, optional=RANK_OPTIONAL)
    units = _org_index(list(Organisation.objects.visible_to(actor).filter(is_active=True)))
    indicators: dict[str, TargetIndicator] = {}
    for known in TargetIndicator.objects.filter(is_active=True):
        indicators[known.code] = known
        indicators[known.name] = known
    errors: list[RowError] = []
    lines: list[services.RankLine] = []
    seen: dict[tuple[int, int, int, int], int] = {}
    for row in table.rows:
        before = len(errors)
        year = cell_int(row, "年度", errors, required=True, minimum=1)
        if year is not None and not year_ok(year):
            errors.append(RowError(row.number, "年度", f"年度超出允许范围，实为 {year}。"))
        month = cell_int(row, "月份", errors, required=True, minimum=1)
        if month is not None and month > 12:
            errors.append(RowError(row.number, "月份", f"应为 1–12，实为 {month}。"))
        name = cell_text(row, "单位", errors, required=True)
        unit = units.get(name) if name else None
        if name and unit is None:
            errors.append(
                RowError(row.number, "单位", f"找不到单位「{name}」，或不在您的数据范围内。")
            )
        ind_name = cell_text(row, "指标", errors, required=True)
        ind = indicators.get(ind_name) if ind_name else None
        if ind_name and ind is None:
            errors.append(RowError(row.number, "指标", f"没有指标「{ind_name}」。"))
        rank = cell_int(row, "全省位次", errors, required=True, minimum=1)
        of = cell_int(row, "参评单位数", errors, minimum=1)
        if rank is not None and of is not None and rank > of:
            errors.append(RowError(row.number, "全省位次", f"位次 {rank} 大于参评单位数 {of}。"))
        if rank is not None and rank > 1000:
            errors.append(RowError(row.number, "全省位次", f"位次过大，实为 {rank}。"))
        if (
            len(errors) > before
            or year is None
            or month is None
            or unit is None
            or ind is None
            or rank is None
        ):
            continue
        key = (year, month, unit.pk, ind.pk)
        if key in seen:
            errors.append(RowError(row.number, "指标", f"与第 {seen[key]} 行重复。"))
        seen[key] = row.number
        lines.append(services.RankLine(row.number, year, month, unit, ind, rank, of))
    if not table.rows:
        errors.append(RowError(0, "", "文件中没有位次。"))
    if errors:
        raise ImportRejected(errors)
    new, changed, same = services.plan_ranks(lines)
    report = ImportReport(
        kind=RANK_KIND,
        rows=len(lines),
        created=len(new),
        updated=len(changed),
        unchanged=same,
        dry_run=dry_run,
    )
    if not dry_run:
        try:
            services.import_province_ranks(actor=actor, lines=lines)
        except DomainError as exc:
            raise ImportRejected.whole_file(exc.message) from None
    return report
