"""Import of a 督查任务清单 from Excel (a city's task list, e.g. the 政府工作报告 split into
tasks with 牵头单位 and 完成时限): `dudao import supervision_tasks FILE --as USERNAME`.

Columns (sheet 督查任务清单, header in row 1):
    required  来源类型 (会议决定/文件/领导批示/观摩督导发现/其他), 来源名称, 来源日期,
              任务名称, 工作任务, 工作目标, 牵头单位编码
    optional  文号, 批示领导, 完成时限 (date), 时限天数, 时限单位 (工作日/自然日), 配合单位编码
              (separated by 、 , ；), 责任人, 包联领导, 任务类别, 反馈周期 (每周/每两周/每月),
              紧急程度 (急件/非急件/难度较大), 交办 (是/否; 是 = issue at once)

The whole file is checked first (every error with its row and column; nothing written), then
written in one transaction through the services (each task audited like a manual one). A task
already present — same source (type, name, date), same name, same lead unit — is left
unchanged, so the same file twice changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from dudao.accounts.roles import Role
from dudao.core.exceptions import DomainError, NotAllowed
from dudao.core.importflow import header_template
from dudao.core.imports import ImportRejected, ImportReport, RowError, importer
from dudao.core.policies import require_role
from dudao.core.xlsx import Row, cell_date, cell_int, cell_text, read_table
from dudao.orgs.models import Organisation
from dudao.supervision import services
from dudao.supervision.models import SupervisionTask, TaskCategory, TaskSource

if TYPE_CHECKING:
    from dudao.accounts.models import User

KIND = "supervision_tasks"
SHEET = "督查任务清单"
REQUIRED = ["来源类型", "来源名称", "来源日期", "任务名称", "工作任务", "工作目标", "牵头单位编码"]
OPTIONAL = [
    "文号", "批示领导", "完成时限", "时限天数", "时限单位", "配合单位编码", "责任人", "包联领导",
    "任务类别", "反馈周期", "紧急程度", "交办",
]  # fmt: skip
SOURCE_KINDS = {label: value for value, label in TaskSource.Kind.choices}
CYCLES = {label: value for value, label in SupervisionTask.Cycle.choices}
URGENCIES = {label: value for value, label in SupervisionTask.Urgency.choices}
UNITS = {"工作日": "workday", "自然日": "calendar_day"}
YES_NO = {"是": True, "否": False, "": False}


@dataclass
class Parsed:
    row: int
    source_key: tuple[str, str, date]
    doc_number: str
    leader_name: str
    title: str
    fields: dict[str, Any]
    co_orgs: list[Organisation] = field(default_factory=list)
    issue: bool = False


def _choice(
    row: Row, header: str, table: dict[str, Any], errors: list[RowError], default: Any
) -> Any:
    text = cell_text(row, header, errors)
    if not text:
        return default
    if text not in table:
        errors.append(
            RowError(
                row.number, header, f"应为 {'/'.join(k for k in table if k)}，实为「{text}」。"
            )
        )
        return default
    return table[text]


def _parse(
    row: Row,
    errors: list[RowError],
    orgs: dict[str, Organisation],
    categories: dict[str, TaskCategory],
) -> Parsed | None:
    before = len(errors)
    kind = _choice(row, "来源类型", SOURCE_KINDS, errors, None)
    if kind is None and not cell_text(row, "来源类型", []):
        errors.append(RowError(row.number, "来源类型", "必填，不能为空。"))
    source_name = cell_text(row, "来源名称", errors, required=True, max_length=120)
    source_date = cell_date(row, "来源日期", errors, required=True)
    doc_number = cell_text(row, "文号", errors, max_length=60)
    leader = cell_text(row, "批示领导", errors, max_length=40)
    if kind == TaskSource.Kind.DOCUMENT and not doc_number:
        errors.append(RowError(row.number, "文号", "来源为文件时必须填写文号。"))
    if kind == TaskSource.Kind.INSTRUCTION and not leader:
        errors.append(RowError(row.number, "批示领导", "来源为领导批示时必须填写批示领导。"))
    title = cell_text(row, "任务名称", errors, required=True, max_length=120)
    content = cell_text(row, "工作任务", errors, required=True)
    goal = cell_text(row, "工作目标", errors, required=True)
    lead_code = cell_text(row, "牵头单位编码", errors, required=True)
    lead = orgs.get(lead_code)
    if lead_code and lead is None:
        errors.append(
            RowError(
                row.number, "牵头单位编码", f"单位编码「{lead_code}」不存在或不在您的数据范围内。"
            )
        )
    co_orgs = []
    for code in filter(
        None, (c.strip() for c in re.split(r"[、,，;；]", cell_text(row, "配合单位编码", errors)))
    ):
        if code not in orgs:
            errors.append(
                RowError(
                    row.number, "配合单位编码", f"单位编码「{code}」不存在或不在您的数据范围内。"
                )
            )
        else:
            co_orgs.append(orgs[code])
    deadline = cell_date(row, "完成时限", errors)
    amount = cell_int(row, "时限天数", errors, minimum=1)
    unit = _choice(row, "时限单位", UNITS, errors, "workday")
    if deadline is None and amount is None:
        errors.append(RowError(row.number, "完成时限", "完成时限和时限天数至少填写一项。"))
    if deadline is not None and amount is not None:
        errors.append(
            RowError(row.number, "时限天数", "已填写完成时限（日期）时不要再填时限天数。")
        )
    if deadline is not None and deadline < timezone.localdate():
        errors.append(RowError(row.number, "完成时限", f"完成时限 {deadline:%Y-%m-%d} 已过。"))
    category_name = cell_text(row, "任务类别", errors)
    category = categories.get(category_name)
    if category_name and category is None:
        errors.append(RowError(row.number, "任务类别", f"任务类别「{category_name}」不存在。"))
    fields = {
        "content": content,
        "goal": goal,
        "lead_org": lead,
        "responsible_person": cell_text(row, "责任人", errors, max_length=40),
        "lead_leader": cell_text(row, "包联领导", errors, max_length=40),
        "category": category,
        "feedback_cycle": _choice(row, "反馈周期", CYCLES, errors, "monthly"),
        "urgency": _choice(row, "紧急程度", URGENCIES, errors, "normal"),
        "deadline_mode": "date" if deadline is not None else unit,
        "deadline": deadline,
        "deadline_amount": amount,
    }
    issue = _choice(row, "交办", YES_NO, errors, False)
    if len(errors) > before or source_date is None:
        return None
    return Parsed(
        row=row.number,
        source_key=(kind, source_name, source_date),
        doc_number=doc_number,
        leader_name=leader,
        title=title,
        fields=fields,
        co_orgs=co_orgs,
        issue=bool(issue),
    )


def _existing_source(actor: User, key: tuple[str, str, date]) -> TaskSource | None:
    kind, name, day = key
    return TaskSource.objects.filter(
        issuing_org=actor.organisation, kind=kind, title=name, source_date=day
    ).first()


@importer(
    KIND,
    "督查任务清单",
    help="把会议决定、文件或领导批示分解成的任务清单一次导入：每行一项任务，写明来源、任务、目标和"
    "牵头单位编码（见“组织机构”页）。同一来源、任务名称和牵头单位的任务再次导入不会重复；"
    "“交办”填“是”的任务导入后立即交办。",
    template=lambda _user: header_template(
        SHEET,
        REQUIRED,
        OPTIONAL,
        [
            "来源类型：" + "、".join(SOURCE_KINDS) + "；日期如 2026-03-15。",
            "配合单位编码可填多个，用顿号、逗号或分号隔开。",
        ],
    ),
    back="supervision:task_list",
)
def import_tasks(data: bytes, *, filename: str, actor: User, dry_run: bool) -> ImportReport:
    try:
        require_role(actor, Role.SUPERVISOR, Role.REVIEWER)  # who issues tasks
    except NotAllowed as exc:
        raise ImportRejected.whole_file(exc.message) from None
    table = read_table(data, sheet=SHEET, headers=REQUIRED, optional_headers=OPTIONAL)
    orgs = {o.code: o for o in Organisation.objects.visible_to(actor).filter(is_active=True)}
    categories = {c.name: c for c in TaskCategory.objects.filter(is_active=True)}
    errors: list[RowError] = []
    parsed: list[Parsed] = []
    seen: dict[tuple[Any, ...], int] = {}
    for row in table.rows:
        item = _parse(row, errors, orgs, categories)
        if item is None:
            continue
        key = (*item.source_key, item.title, item.fields["lead_org"].pk)
        if key in seen:
            errors.append(
                RowError(
                    row.number,
                    "任务名称",
                    f"与第 {seen[key]} 行重复（同一来源、任务名称和牵头单位）。",
                )
            )
        seen[key] = row.number
        parsed.append(item)
    if not table.rows:
        errors.append(RowError(0, "", "文件中没有任务。"))
    if errors:
        raise ImportRejected(errors)
    report = ImportReport(kind=KIND, rows=len(parsed), dry_run=dry_run)
    todo = []
    for item in parsed:
        source = _existing_source(actor, item.source_key)
        if (
            source is not None
            and SupervisionTask.objects.filter(
                source=source,
                parent__isnull=True,
                title=item.title,
                lead_org=item.fields["lead_org"],
            ).exists()
        ):
            report.unchanged += 1
        else:
            todo.append(item)
    report.created = len(todo)
    if dry_run or not todo:
        return report
    with transaction.atomic():
        for item in todo:
            try:
                source = _existing_source(actor, item.source_key) or services._create_source(
                    actor=actor,
                    kind=item.source_key[0],
                    title=item.source_key[1],
                    source_date=item.source_key[2],
                    doc_number=item.doc_number,
                    leader_name=item.leader_name,
                )
                services._create_task(
                    actor=actor,
                    source=source,
                    title=item.title,
                    co_orgs=item.co_orgs,
                    issue=item.issue,
                    **item.fields,
                )
            except DomainError as exc:
                raise ImportRejected([RowError(item.row, "", exc.message)]) from None
    return report
