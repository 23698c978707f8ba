"""Import of existing problem ledgers (既有问题台账) from Excel (.xlsx) or CSV.

    dudao import problems 台账.xlsx --as USERNAME [--dry-run] [--json]

The whole file is checked first (every error with its row and column); then every row is
written in one transaction, or nothing. Rows are matched by 原台账编号: the same file twice
changes nothing the second time and says so; a changed row updates the problem (while open).
Legacy ledgers hold overdue problems, so a past 整改时限 is accepted here with a warning
(registering a *new* problem with a past deadline is refused).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from dudao.core.imports import ImportRejected, RowError, importer
from dudao.core.policies import require_role
from dudao.core.xlsx import (
    Column,
    Row,
    Sheet,
    Table,
    cell_date,
    cell_text,
    read_csv,
    read_table,
)
from dudao.orgs.models import Organisation
from dudao.parks.selectors import parks_in_scope
from dudao.problems import services
from dudao.problems.models import Problem, ProblemCategory
from dudao.projects.selectors import visible_projects

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.core.imports import ImportReport
    from dudao.projects.models import Project

SHEET = "问题台账"
REQUIRED = ("原台账编号", "问题来源", "问题类别", "问题", "责任单位编码", "整改时限")
OPTIONAL = (
    "问题描述",
    "严重程度",
    "所在县编码",
    "项目代码",
    "园区编码",
    "发现日期",
    "整改措施",
    "责任人",
    "状态",
    "销号日期",
)
IMPORTABLE_STATUSES = {
    Problem.Status.ASSIGNED.label: Problem.Status.ASSIGNED,
    Problem.Status.FIXING.label: Problem.Status.FIXING,
    Problem.Status.CLOSED.label: Problem.Status.CLOSED,
}
COMMENTS = {
    "原台账编号": "原台账中的编号，在本系统中唯一；重复导入同一文件不会重复登记。",
    "问题来源": "观摩、督查、月报、审计、环保督察、其他。",
    "问题类别": "用地、资金、审批、拆迁、环评、水电气、进度、质量安全、其他（以系统为准）。",
    "责任单位编码": "组织机构中的单位编码，如 SFS-MHQ。须在您的数据范围内。",
    "整改时限": "日期，如 2026-12-31。",
    "严重程度": "一般、较重、严重；不填为一般。",
    "状态": "交办、整改中、已销号；不填为交办。已销号须填销号日期。",
}


def template_sheets() -> list[Sheet]:
    """The empty template and its instructions (下载模板)."""
    columns = [Column(h, 16, comment=COMMENTS.get(h, "")) for h in (*REQUIRED, *OPTIONAL)]
    notes = [
        ["必填列：" + "、".join(REQUIRED)],
        ["可选列：" + "、".join(OPTIONAL)],
        *([f"{h}：{text}"] for h, text in COMMENTS.items()),
        ["整个文件校验通过才会写入；任何一行有错，全部不写入，并列出每一处错误的行号和列名。"],
        ["CSV 文件请使用 UTF-8 或 GBK 编码，第一行为表头。"],
    ]
    return [
        Sheet(name=SHEET, columns=columns, rows=[]),
        Sheet(name="说明", columns=[Column("填写说明", 100)], rows=notes),
    ]


TEMPLATE_SHEETS = template_sheets


# --- reading ----------------------------------------------------------------------------------


def read_upload(data: bytes, filename: str) -> Table:
    if data.startswith(b"PK\x03\x04") or filename.lower().endswith(".xlsx"):
        return read_table(data, sheet=SHEET, headers=REQUIRED, optional_headers=OPTIONAL)
    if filename.lower().endswith(".csv"):
        return read_csv(data, headers=REQUIRED, optional_headers=OPTIONAL)
    raise ImportRejected.whole_file("只能导入 Excel（.xlsx）或 CSV 文件。")


# --- checking ---------------------------------------------------------------------------------


@dataclass
class ParsedRow:
    number: int
    legacy_code: str
    values: dict[str, Any]
    status: str
    closed_on: dt.date | None


def _lookup(label_map: dict[str, Any], row: Row, header: str, errors: list[RowError]) -> Any:
    text = cell_text(row, header, errors)
    if not text:
        return None
    if text not in label_map:
        allowed = "、".join(label_map)
        errors.append(RowError(row.number, header, f"「{text}」不是可选值（可选：{allowed}）。"))
        return None
    return label_map[text]


class _Refs:
    """Everything the rows refer to, loaded once."""

    def __init__(self, actor: User) -> None:
        self.sources = {label: value for value, label in Problem.Source.choices}
        self.severities = {label: value for value, label in Problem.Severity.choices}
        self.categories = {c.name: c for c in ProblemCategory.objects.filter(is_active=True)}
        scope = Organisation.objects.visible_to(actor).filter(is_active=True)
        self.orgs = {o.code: o for o in scope}
        self.counties = {
            c: o for c, o in self.orgs.items() if o.kind == Organisation.Kind.COUNTY_GOV
        }
        self.projects: dict[str, Project] = {}
        self.parks = {p.code: p for p in parks_in_scope(actor).filter(is_active=True)}
        self.actor = actor

        self._counties: dict[int, Organisation | None] = {}

    def county_of(self, org: Organisation) -> Organisation | None:
        if org.pk not in self._counties:
            self._counties[org.pk] = services.county_of(org)
        return self._counties[org.pk]

    def load_projects(self, codes: set[str]) -> None:
        visible = visible_projects(self.actor).filter(code__in=codes)
        self.projects = {p.code: p for p in visible if p.code}


def _optional_ref(
    row: Row, header: str, table: dict[str, Any], errors: list[RowError], message: str
) -> Any:
    """Look up an optional code column; an unknown code is an error (`message` names it)."""
    code = cell_text(row, header, errors)
    if not code:
        return None
    found = table.get(code)
    if found is None:
        errors.append(RowError(row.number, header, message.format(code=code)))
    return found


def _required_choice(row: Row, header: str, table: dict[str, Any], errors: list[RowError]) -> Any:
    value = _lookup(table, row, header, errors)
    if value is None and not cell_text(row, header, []):
        errors.append(RowError(row.number, header, "必填，不能为空。"))
    return value


def _parse(row: Row, refs: _Refs, today: dt.date, errors: list[RowError]) -> ParsedRow | None:
    start = len(errors)
    legacy = cell_text(row, "原台账编号", errors, required=True, max_length=40)
    source = _required_choice(row, "问题来源", refs.sources, errors)
    category = _required_choice(row, "问题类别", refs.categories, errors)
    title = cell_text(row, "问题", errors, required=True, max_length=120)
    severity = _lookup(refs.severities, row, "严重程度", errors) or Problem.Severity.GENERAL
    if not cell_text(row, "责任单位编码", []):
        errors.append(RowError(row.number, "责任单位编码", "必填，不能为空。"))
    responsible = _optional_ref(
        row, "责任单位编码", refs.orgs, errors, "单位编码「{code}」不存在或不在您的数据范围内。"
    )
    county = _optional_ref(
        row, "所在县编码", refs.counties, errors, "「{code}」不是您数据范围内的县（市、区）。"
    )
    project = _optional_ref(
        row, "项目代码", refs.projects, errors, "项目代码「{code}」不存在或不在您的数据范围内。"
    )
    park = _optional_ref(row, "园区编码", refs.parks, errors, "园区编码「{code}」不存在。")
    deadline = cell_date(row, "整改时限", errors, required=True)
    found_on = cell_date(row, "发现日期", errors)
    if found_on and found_on > today:
        errors.append(RowError(row.number, "发现日期", "发现日期不能晚于今天。"))
    status = _lookup(IMPORTABLE_STATUSES, row, "状态", errors) or Problem.Status.ASSIGNED
    closed_on = cell_date(row, "销号日期", errors)
    if status == Problem.Status.CLOSED and closed_on is None:
        errors.append(RowError(row.number, "销号日期", "状态为已销号时必须填写销号日期。"))
    if closed_on and status != Problem.Status.CLOSED:
        errors.append(RowError(row.number, "销号日期", "只有已销号的问题才填写销号日期。"))
    if closed_on and closed_on > today:
        errors.append(RowError(row.number, "销号日期", "销号日期不能晚于今天。"))
    if len(errors) > start:
        return None
    if project is not None and county is None:
        county = project.county
    if county is None and responsible is not None:
        county = refs.county_of(responsible)
    return ParsedRow(
        number=row.number,
        legacy_code=legacy,
        status=status,
        closed_on=closed_on,
        values={
            "source": source,
            "category": category,
            "title": title,
            "description": cell_text(row, "问题描述", errors),
            "severity": severity,
            "responsible_org": responsible,
            "county": county,
            "project": project,
            "park": park,
            "deadline": deadline,
            "found_on": found_on,
            "measures": cell_text(row, "整改措施", errors),
            "responsible_person": cell_text(row, "责任人", errors, max_length=40),
        },
    )


@importer("problems", "问题台账")
def import_problems(data: bytes, *, filename: str, actor: User, dry_run: bool) -> ImportReport:
    """Validate the whole ledger file, then create or update every row in one transaction."""
    require_role(actor, *services.IMPORT_ROLES)
    table = read_upload(data, filename)
    today = timezone.localdate()
    refs = _Refs(actor)
    refs.load_projects(
        {str(r.get("项目代码")).strip() for r in table.rows if r.get("项目代码") not in (None, "")}
    )
    errors: list[RowError] = []
    parsed: list[ParsedRow] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        item = _parse(row, refs, today, errors)
        if item is None:
            continue
        if item.legacy_code in seen:
            errors.append(
                RowError(
                    row.number,
                    "原台账编号",
                    f"与第{seen[item.legacy_code]}行重复：「{item.legacy_code}」。",
                )
            )
            continue
        seen[item.legacy_code] = row.number
        parsed.append(item)
    if not table.rows:
        errors.append(RowError(0, "", "文件中没有数据行。"))
    existing = {
        p.legacy_code or "": p
        for p in Problem.objects.filter(legacy_code__in=list(seen)).select_related(
            "responsible_org", "issuing_org"
        )
    }
    plan = services.plan_import(
        actor=actor, rows=parsed, existing=existing, today=today, errors=errors
    )
    if errors:
        raise ImportRejected(errors)
    with transaction.atomic():
        report = services.apply_import(actor=actor, plan=plan, dry_run=dry_run)
        if dry_run:
            transaction.set_rollback(True)
    return report
