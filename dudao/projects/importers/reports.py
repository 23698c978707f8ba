"""The county's monthly report sheet: its columns, the template and the reports importer
(validation in bulk; the write is `report_writes`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from dudao.accounts.roles import Role
from dudao.core import columns, importplans
from dudao.core.columns import Cells, read_cells
from dudao.core.exceptions import NotAllowed
from dudao.core.imports import (
    ImportRejected,
    ImportReport,
    RowError,
    importer,
    split_untouched,
)
from dudao.core.policies import require_role
from dudao.core.xlsx import (
    Column,
    Row,
    Sheet,
    cell_date,
    cell_decimal,
    cell_int,
    cell_text,
    workbook_bytes,
)
from dudao.projects import services
from dudao.projects.importers._common import ZERO, S
from dudao.projects.importers.report_lookups import (
    PLAN_KIND,
    _lookups,
    _Plan,
    _projects,
    _Question,
)
from dudao.projects.importers.report_writes import (
    _cumulative,
    _New,
    _write_reports,
)
from dudao.projects.models import (
    MilestoneNode,
    MonthlyReport,
    Project,
)

if TYPE_CHECKING:
    from dudao.accounts.models import User

REPORT_SHEET = "月报"
R_ID = "系统编号"
R_CODE = "项目代码"
R_NAME = "项目名称"
R_YEAR = "年度"
R_MONTH = "月份"
R_INVEST = "本月完成投资（万元）"
R_FUNDS = "本月资金到位（万元）"
R_NODE = "本月达到节点"
R_NODE_DATE = "节点日期"
R_PROGRESS = "形象进度"
R_PROBLEM = "存在问题（是/否）"
R_PROBLEM_TEXT = "问题描述"
R_NEXT = "下步计划"
R_NOTE = "说明"
R_LAST_YTD = "上月年内累计（万元，参考）"
R_PLAN = "年度计划投资（万元，参考）"
REPORT_HEADERS = (R_ID, R_CODE, R_NAME, R_YEAR, R_MONTH, R_INVEST)
REPORT_OPTIONAL = (
    R_FUNDS,
    R_NODE,
    R_NODE_DATE,
    R_PROGRESS,
    R_PROBLEM,
    R_PROBLEM_TEXT,
    R_NEXT,
    R_NOTE,
)
# The cells a reporter fills; a row whose editable cells are all empty (存在问题 may say 否, the
# default) was left untouched and is skipped, not rejected.
REPORT_EDITABLE = (R_INVEST, *REPORT_OPTIONAL)
UNTOUCHED = {R_PROBLEM: "否"}
YES = {"是", "有", "Y", "YES", "TRUE", "1"}
NO = {"", "否", "无", "N", "NO", "FALSE", "0"}
YES_OR_NO = YES | NO
TEXT_LIMITS = {R_PROGRESS: 300, R_PROBLEM_TEXT: 500, R_NEXT: 300, R_NOTE: 300}
INSTRUCTIONS = [
    ("填报说明",),
    (
        "1. 每行一个项目的一个月份；灰色列（系统编号、项目代码、项目名称、年度、月份和参考列）"
        "请勿修改。",
    ),
    (
        "2. 只填“本月”数：年内累计和自开工累计由系统按各月数自动计算。"
        "金额单位：万元，最多两位小数。",
    ),
    ("3. 本月达到节点填写节点名称（如“开工”“主体完工”），并填写节点日期（如 2026-07-15）。",),
    ("4. 本月投资超过突增阈值时，必须在“说明”中注明原因。",),
    ("5. 不要合并单元格、不要使用公式、不要增加工作表；上传时先试导入，无误后再确认导入。",),
    ("6. 导入的月报为草稿，请在“月报填报”页面核对后报送。",),
    ("7. 只填有进展的项目即可：本月各列都没有填写的行会跳过（未填写，已跳过），不算错误。",),
]


# --- template ---------------------------------------------------------------------------------


def report_template(
    actor: User, year: int, month: int, county: int | None = None, *, due_only: bool = False
) -> bytes:
    """The month's template pre-filled with the actor's projects (and what is already saved).
    `due_only`: only the projects whose report is still to be filled in (none yet, a draft or
    returned) in a month not locked — 只含本月应报项目."""
    from dudao.projects.selectors import grid_rows

    rows = []
    for g in grid_rows(actor, year, month, county):
        if due_only and not g.editable:
            continue
        r = g.report
        rows.append(
            [
                g.project.pk,
                g.project.code or "",
                g.project.name,
                year,
                month,
                r.invest_month if r else None,
                r.funds_month if r else None,
                r.node.name if r and r.node else "",
                r.node_date if r else None,
                r.progress_text if r else "",
                ("是" if r.has_problem else "否") if r else "",
                r.problem_text if r else "",
                r.next_steps if r else "",
                r.note if r else "",
                g.last.invest_ytd if g.last and g.last.year == year else None,
                g.plan.planned_investment if g.plan else None,
            ]
        )
    columns = [
        Column(R_ID, 9, "int"),
        Column(R_CODE, 27),
        Column(R_NAME, 36),
        Column(R_YEAR, 7, "int"),
        Column(R_MONTH, 6, "int"),
        Column(R_INVEST, 14, "decimal2"),
        Column(R_FUNDS, 14, "decimal2"),
        Column(R_NODE, 12),
        Column(R_NODE_DATE, 12, "date"),
        Column(R_PROGRESS, 30),
        Column(R_PROBLEM, 10),
        Column(R_PROBLEM_TEXT, 30),
        Column(R_NEXT, 30),
        Column(R_NOTE, 24),
        Column(R_LAST_YTD, 14, "decimal2"),
        Column(R_PLAN, 14, "decimal2"),
    ]
    return workbook_bytes(
        [
            Sheet(REPORT_SHEET, columns, rows, locked_columns=5),
            Sheet("填报说明", [Column("说明", 100)], INSTRUCTIONS),
        ]
    )


# --- reports importer -------------------------------------------------------------------------


@dataclass
class _ReportRow:
    number: int
    project_id: int
    year: int
    month: int
    data: services.ReportInput


_Parsed = tuple[int, int | None, str, int | None, int | None, services.ReportInput | None]
# (row number, system id, code, year, month, the values — None when the row has errors)


def _parse_report_row(
    row: Row, errors: list[RowError], nodes_by_name: dict[str, MilestoneNode]
) -> _Parsed:
    """One row through the cell readers: every refusal with its row and column."""
    before = len(errors)
    pid = cell_int(row, R_ID, errors)
    code = cell_text(row, R_CODE, errors).upper()
    year = cell_int(row, R_YEAR, errors, required=True, minimum=2000)
    month = cell_int(row, R_MONTH, errors, required=True, minimum=1)
    if month is not None and month > 12:
        errors.append(RowError(row.number, R_MONTH, "月份应为 1–12。"))
    invest = cell_decimal(row, R_INVEST, errors, required=True, minimum=ZERO)
    funds = cell_decimal(row, R_FUNDS, errors, minimum=ZERO)
    node_name = cell_text(row, R_NODE, errors)
    node = nodes_by_name.get(node_name) if node_name else None
    if node_name and node is None:
        errors.append(RowError(row.number, R_NODE, f"未知的节点「{node_name}」。"))
    node_date = cell_date(row, R_NODE_DATE, errors)
    flag = cell_text(row, R_PROBLEM, errors).upper()
    if flag not in YES_OR_NO:
        errors.append(RowError(row.number, R_PROBLEM, f"应填“是”或“否”，实为「{flag}」。"))
    data = None
    if len(errors) == before and invest is not None:
        data = services.ReportInput(
            invest_month=invest,
            funds_month=funds or ZERO,
            node=node,
            node_date=node_date,
            progress_text=cell_text(row, R_PROGRESS, errors, max_length=TEXT_LIMITS[R_PROGRESS]),
            has_problem=flag in YES,
            problem_text=cell_text(
                row, R_PROBLEM_TEXT, errors, max_length=TEXT_LIMITS[R_PROBLEM_TEXT]
            ),
            next_steps=cell_text(row, R_NEXT, errors, max_length=TEXT_LIMITS[R_NEXT]),
            note=cell_text(row, R_NOTE, errors, max_length=TEXT_LIMITS[R_NOTE]),
        )
    if pid is None and not code:
        errors.append(RowError(row.number, R_CODE, "项目代码和系统编号不能都为空。"))
    return row.number, pid, code, year, month, data


def _parse_report_rows(
    cells: Cells, errors: list[RowError], nodes_by_name: dict[str, MilestoneNode]
) -> tuple[list[_Parsed], list[int]]:
    """(the filled rows parsed, the numbers of the untouched rows skipped).

    Column by column first (dudao.core.columns: the same acceptance as the cell readers);
    a row with any cell those fast paths leave, a node, or a blank 本月完成投资 (perhaps
    untouched) goes through `_parse_report_row` and the shared untouched rule, in file order,
    so the errors are the ones the cell readers give, with their row and column."""
    numbers = [n for n, _ in cells.rows]
    size = len(numbers)
    by_column = dict(zip(cells.headers, zip(*(v for _, v in cells.rows), strict=True), strict=True))

    def column(header: str) -> tuple[Any, ...]:
        return by_column.get(header) or (None,) * size

    slow = columns.filled(column(R_NODE)) | columns.filled(column(R_NODE_DATE))
    pids, bad = columns.whole_numbers(column(R_ID), 0, blank_ok=True)
    slow |= bad
    codes, bad = columns.texts(column(R_CODE))
    slow |= bad
    years, bad = columns.whole_numbers(column(R_YEAR), 2000)
    slow |= bad
    months, bad = columns.whole_numbers(column(R_MONTH), 1, 12)
    slow |= bad
    invests, bad = columns.amounts(column(R_INVEST), places=2, minimum=ZERO)
    slow |= bad
    funds, bad = columns.amounts(column(R_FUNDS), places=2, minimum=ZERO, blank=ZERO, blank_ok=True)
    slow |= bad
    flags, bad = columns.texts(column(R_PROBLEM))
    slow |= bad
    text: list[list[str]] = []
    for header, limit in TEXT_LIMITS.items():
        values, bad = columns.texts(column(header), limit)
        text.append(values)
        slow |= bad
    parsed: list[_Parsed] = []
    skipped: list[int] = []
    upper = str.upper
    for i, (
        number,
        pid,
        code,
        year,
        month,
        invest,
        fund,
        flag,
        progress,
        problem,
        steps,
        note,
    ) in enumerate(
        zip(numbers, pids, codes, years, months, invests, funds, flags, *text, strict=True)
    ):
        if i in slow or (flag := upper(flag)) not in YES_OR_NO or (pid is None and not code):
            raw = cells.rows[i][1]
            invest_cell = raw[cells.headers.index(R_INVEST)]
            row = cells.row(number, raw)
            if (invest_cell is None or (type(invest_cell) is str and not invest_cell.strip())) and (
                split_untouched([row], REPORT_EDITABLE, lambda _row: UNTOUCHED)[1]
            ):
                skipped.append(number)
                continue
            parsed.append(_parse_report_row(row, errors, nodes_by_name))
            continue
        data = services.ReportInput(
            invest_month=invest,
            funds_month=fund or ZERO,
            progress_text=progress,
            has_problem=flag in YES,
            problem_text=problem,
            next_steps=steps,
            note=note,
        )
        parsed.append((number, pid, upper(code), year, month, data))
    return parsed, skipped


def _same(report: MonthlyReport, data: services.ReportInput) -> bool:
    return all(
        getattr(report, name)
        == (
            getattr(data, name).strip()
            if isinstance(getattr(data, name), str)
            else getattr(data, name)
        )
        for name in services.REPORT_FIELDS
        if name != "node"
    ) and report.node_id == (data.node.pk if data.node else None)


@importer("reports", "项目月报")
def import_reports(  # noqa: PLR0912, PLR0915 - one validation pass over the file
    data: bytes, *, filename: str, actor: User, dry_run: bool
) -> ImportReport:
    """Import monthly reports (drafts) for the actor's projects. All rules of the grid apply."""
    try:
        require_role(actor, Role.REPORTER)
    except NotAllowed as exc:
        raise ImportRejected.whole_file(exc.message) from exc
    if not dry_run and (kept := _commit_kept(data, filename=filename, actor=actor)) is not None:
        return kept
    cells = read_cells(
        data, sheet=REPORT_SHEET, headers=REPORT_HEADERS, optional_headers=REPORT_OPTIONAL
    )
    if not cells.rows:
        raise ImportRejected.whole_file("文件中没有数据行。")
    errors: list[RowError] = []
    nodes = list(MilestoneNode.objects.filter(is_active=True).order_by("sort_order"))
    parsed, skipped = _parse_report_rows(cells, errors, {n.name: n for n in nodes})
    if not parsed:
        raise ImportRejected.whole_file(
            f"文件中的 {len(skipped)} 行都没有填写本月数据（本月完成投资等列均为空），"
            "没有可导入的内容。"
        )
    codes = {c for _, _, c, *_ in parsed if c}
    ids = {p for _, p, *_ in parsed if p}
    scope = Project.objects.visible_to(actor).filter(is_active=True)
    projects = _projects(scope, codes, ids)
    by_code = {p.code: p for p in projects.values() if p.code}
    rows: list[_ReportRow] = []
    seen: dict[tuple[int, int, int], int] = {}
    current = (timezone.localdate().year, timezone.localdate().month)
    for number, pid, code, year, month, parsed_data in parsed:
        project = by_code.get(code) if code else projects.get(pid or 0)
        if project is None:
            errors.append(
                RowError(
                    number,
                    R_CODE if code else R_ID,
                    f"项目「{code or pid}」不存在或不在您的数据范围内。",
                )
            )
            continue
        if code and pid and project.pk != pid:
            errors.append(RowError(number, R_ID, "系统编号与项目代码不是同一个项目。"))
            continue
        if parsed_data is None or year is None or month is None or month > 12:
            continue
        if (year, month) > current:
            errors.append(RowError(number, R_MONTH, "不能填报未来月份的月报。"))
            continue
        key = (project.pk, year, month)
        if key in seen:
            errors.append(RowError(number, R_CODE, f"与第{seen[key]}行重复（同一项目同一月份）。"))
            continue
        seen[key] = number
        rows.append(_ReportRow(number, project.pk, year, month, parsed_data))
    first: dict[int, tuple[int, int]] = {}
    for r in rows:
        k = (r.year, r.month)
        first[r.project_id] = min(first.get(r.project_id, k), k)
    question = _Question(
        frozenset(codes),
        frozenset(ids),
        first,
        frozenset(r.year for r in rows),
        frozenset(r.project_id for r in rows if r.data.node is not None),
    )
    facts = _lookups(actor, question, nodes, projects)
    window, by_key, base, plans = facts.window, facts.by_key, facts.base, facts.plans
    started, actual, locked, settings = facts.started, facts.actual, facts.locked, facts.settings
    # monthly figures per project from the first file month on: existing overlaid with the file
    monthly: dict[int, dict[tuple[int, int], tuple[Decimal, Decimal]]] = defaultdict(dict)
    for x in window:
        monthly[x.project_id][(x.year, x.month)] = (x.invest_month, x.funds_month)
    for r in rows:
        monthly[r.project_id][(r.year, r.month)] = (r.data.invest_month, r.data.funds_month)
    created: list[_New] = []
    updated: list[MonthlyReport] = []
    unchanged = 0
    header = {
        "invest_month": R_INVEST,
        "funds_month": R_FUNDS,
        "note": R_NOTE,
        "node": R_NODE,
        "node_date": R_NODE_DATE,
        "problem_text": R_PROBLEM_TEXT,
        "stage": R_CODE,
    }
    for r in sorted(rows, key=lambda r: (r.project_id, r.year, r.month)):
        project = projects[r.project_id]
        old = by_key.get((r.project_id, r.year, r.month))
        if (project.county_id, r.year, r.month) in locked or (None, r.year, r.month) in locked:
            errors.append(RowError(r.number, R_MONTH, f"{r.year}年{r.month}月已锁定，不能导入。"))
            continue
        if old is not None and _same(old, r.data):
            unchanged += 1
            continue
        if old is not None and old.status not in (S.DRAFT, S.RETURNED):
            errors.append(
                RowError(
                    r.number,
                    R_INVEST,
                    f"该月报状态为“{old.get_status_display()}”，不能再修改（需审核员退回）。",
                )
            )
            continue
        prior_ytd = _cumulative(base[r.project_id], monthly[r.project_id], r.year, r.month)[0]
        dates: dict[int, date] = {}
        has_started = started.get(r.project_id, set())
        if r.data.node is not None:
            dates = dict(actual.get(r.project_id, {}))
            dates.pop(r.data.node.pk, None)
            has_started = has_started - {r.data.node.pk}
        problems = services.validate_report_values(
            project=project,
            year=r.year,
            month=r.month,
            data=r.data,
            prior_ytd=prior_ytd,
            plan_amount=plans.get((r.project_id, r.year)),
            settings=settings,
            actual_dates=dates,
            nodes=nodes,
            started=bool(has_started),
        )
        for field, message in problems:
            errors.append(RowError(r.number, header.get(field, ""), message))
        if problems:
            continue
        if old is None:
            created.append(_New(r.project_id, project.county_id, r.year, r.month, r.data))
            continue
        for name in services.REPORT_FIELDS:
            value = getattr(r.data, name)
            setattr(old, name, value.strip() if isinstance(value, str) else value)
        updated.append(old)
    if errors:
        raise ImportRejected(errors)
    report = ImportReport(
        "reports",
        rows=len(cells.rows),
        created=len(created),
        updated=len(updated),
        unchanged=unchanged,
        dry_run=dry_run,
        skipped=len(skipped),
        skipped_rows=skipped,
    )
    if not report.changed:
        return report
    written = {(c.project_id, c.year, c.month) for c in created} | {
        (c.project_id, c.year, c.month) for c in updated
    }
    plan = _Plan(
        question=question,
        created=created,
        updated=updated,
        later=[x for x in window if (x.project_id, x.year, x.month) not in written],
        base=base,
        monthly=monthly,
        projects=projects,
        report=report,
    )
    if dry_run:
        # the commit of the same file takes this back while its lookups are unchanged
        importplans.keep(PLAN_KIND, actor.pk, data, (), basis=facts.basis, plan=plan)
        return report
    with transaction.atomic():
        _write_plan(plan, actor=actor, filename=filename, data=data)
    return report


def _write_plan(plan: _Plan, *, actor: User, filename: str, data: bytes) -> None:
    _write_reports(
        actor=actor,
        created=plan.created,
        updated=plan.updated,
        later=plan.later,
        base=plan.base,
        monthly=plan.monthly,
        projects=plan.projects,
        filename=filename,
        data=data,
        report=plan.report,
    )


def _commit_kept(data: bytes, *, filename: str, actor: User) -> ImportReport | None:
    """The commit of a file whose dry run this process kept (dudao.core.importplans): its plan
    written when every lookup it was validated against still gives the same rows (checked in
    the write's transaction); None — the full import — otherwise."""
    kept = importplans.take(PLAN_KIND, actor.pk, data, ())
    if kept is None:
        return None
    basis, plan = kept
    assert isinstance(plan, _Plan)  # noqa: S101 - only this module keeps reports plans
    with transaction.atomic():
        nodes = list(MilestoneNode.objects.filter(is_active=True).order_by("sort_order"))
        scope = Project.objects.visible_to(actor).filter(is_active=True)
        projects = _projects(scope, plan.question.codes, plan.question.ids)
        if _lookups(actor, plan.question, nodes, projects).basis != basis:
            return None
        plan.report = replace(plan.report, dry_run=False)
        _write_plan(plan, actor=actor, filename=filename, data=data)
    return plan.report
