"""Import of a tour plan (观摩路线) from Excel: groups, units, sites and judges in one file.

    dudao import inspections.plan 观摩路线.xlsx --tour ID --as USERNAME [--dry-run] [--json]

Sheet 「观摩路线」 (header on row 1), one row per stop:
  观摩组 (required), 带队领导, 带队领导职务 (required the first time a group is named),
  县（市、区） (单位编码 or name, required), 排名分组 (required the first time a unit is named),
  观摩顺序, 项目代码 (blank: the unit's 县级汇报 session), 日期, 开始时间, 结束时间 (required),
  讲解人, 讲解人职务.
Optional sheet 「评委」: 用户名 (required), 观摩组, 回避县 (单位编码, only for city judges).

Every row goes through the same services as the pages and the API (same rules, one audit
event per change plus one for the import). The whole file is checked first; any error →
nothing written, every error listed with its row and column. A row already in the plan
(same project, or the same unit's 汇报 at the same time; the same judge) is unchanged, so the
same file twice changes nothing. Only the organiser (督查员) of a tour in preparation imports.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import TYPE_CHECKING

from django.db import transaction

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.exceptions import DomainError
from dudao.core.imports import ImportRejected, ImportReport, RowError, importer
from dudao.core.policies import require_role
from dudao.core.xlsx import (
    Column,
    Row,
    Sheet,
    cell_date,
    cell_int,
    cell_text,
    read_table,
    workbook_bytes,
)
from dudao.inspections import refs
from dudao.inspections.models import Tour
from dudao.inspections.services._base import _organiser, _planning
from dudao.inspections.services.planning import (
    add_group_body,
    add_judge_body,
    add_site_body,
    add_unit_body,
)

if TYPE_CHECKING:
    from dudao.accounts.models import User

PLAN_KIND = "inspections.plan"
ROUTE = "观摩路线"
JUDGES = "评委"
INSTRUCTIONS = ("说明", "填报说明")
ROUTE_HEADERS = ("观摩组", "县（市、区）", "日期", "开始时间", "结束时间")
ROUTE_OPTIONAL = (
    "带队领导",
    "带队领导职务",
    "排名分组",
    "观摩顺序",
    "项目代码",
    "讲解人",
    "讲解人职务",
)
JUDGE_HEADERS = ("用户名",)
JUDGE_OPTIONAL = ("观摩组", "回避县")
# A service's field → the column the user fixes.
ROUTE_COLUMNS = {
    "county": "县（市、区）",
    "unit": "县（市、区）",
    "unit_group": "排名分组",
    "group": "观摩组",
    "name": "观摩组",
    "leader_name": "带队领导",
    "leader_title": "带队领导职务",
    "project": "项目代码",
    "visit_date": "日期",
    "slot_start": "开始时间",
    "slot_end": "结束时间",
}
JUDGE_COLUMNS = {"user": "用户名", "group": "观摩组", "conflict": "回避县"}
_TIME = re.compile(r"(\d{1,2})[:：](\d{2})(?:[:：]\d{2})?")


def cell_time(row: Row, header: str, errors: list[RowError]) -> dt.time | None:
    """A time cell: an Excel time (or date-time, or day fraction), or text 9:00 / 09:00."""
    value = row.get(header)
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.append(RowError(row.number, header, "必填，不能为空。"))
        return None
    minutes: int | None = None
    if isinstance(value, dt.datetime | dt.time):
        minutes = value.hour * 60 + value.minute
    elif isinstance(value, dt.timedelta):
        minutes = round(value.total_seconds() / 60)
    elif isinstance(value, float) and 0 <= value < 1:  # an Excel time: a fraction of a day
        minutes = round(value * 24 * 60)
    else:
        match = _TIME.fullmatch(str(value).strip())
        if match and int(match[2]) < 60:
            minutes = int(match[1]) * 60 + int(match[2])
    if minutes is not None and 0 <= minutes < 24 * 60:
        return dt.time(minutes // 60, minutes % 60)
    errors.append(RowError(row.number, header, f"应为时间（如 09:30），实为「{value}」。"))
    return None


def _sheet_names(data: bytes) -> list[str]:
    """The workbook's sheet names (called after read_table has checked the file)."""
    from python_calamine import CalamineWorkbook

    return list(CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names)


class _Run:
    """One import: the errors found and the counts, row by row."""

    def __init__(self, actor: User, tour: Tour, report: ImportReport) -> None:
        self.actor, self.tour, self.report = actor, tour, report
        self.errors: list[RowError] = []

    def refuse(self, row: Row, exc: DomainError, columns: dict[str, str], sheet: str) -> None:
        column = columns.get(exc.field or "", "")
        prefix = "" if sheet == ROUTE else f"「{sheet}」表"
        self.errors.append(RowError(row.number, column, prefix + exc.message))

    def route_row(self, row: Row) -> None:
        errors: list[RowError] = []
        group_name = cell_text(row, "观摩组", errors, required=True, max_length=20)
        leader = cell_text(row, "带队领导", errors, max_length=20)
        title = cell_text(row, "带队领导职务", errors, max_length=30)
        county = cell_text(row, "县（市、区）", errors, required=True, max_length=40)
        unit_group = cell_text(row, "排名分组", errors, max_length=20)
        order = cell_int(row, "观摩顺序", errors, minimum=1)
        code = cell_text(row, "项目代码", errors, max_length=40)
        day = cell_date(row, "日期", errors, required=True)
        start = cell_time(row, "开始时间", errors)
        end = cell_time(row, "结束时间", errors)
        presenter = cell_text(row, "讲解人", errors, max_length=20)
        presenter_title = cell_text(row, "讲解人职务", errors, max_length=40)
        if errors or day is None or start is None or end is None:
            self.errors += errors
            return
        actor, tour = self.actor, self.tour
        try:
            group = tour.groups.filter(name=group_name).first()
            if group is None:
                if not leader or not title:
                    raise DomainError(
                        f"观摩组“{group_name}”第一次出现，请填写带队领导及其职务。",
                        field="leader_name",
                    )
                group = add_group_body(
                    actor=actor, tour=tour, name=group_name, leader_name=leader, leader_title=title
                )
                self.report.created += 1
            org = refs.unit_org(tour, county)
            unit = tour.units.select_related("unit_group").filter(county=org).first()
            if unit is None:
                if not unit_group:
                    raise DomainError(
                        f"{org.display_name}第一次出现，请填写排名分组。", field="unit_group"
                    )
                unit = add_unit_body(
                    actor=actor,
                    tour=tour,
                    county=org,
                    unit_group=refs.unit_group(tour, unit_group),
                    visit_group=group,
                    visit_order=order or 1,
                )
                self.report.created += 1
            elif unit_group and unit.unit_group.name != unit_group:
                raise DomainError(
                    f"{org.display_name}已在“{unit.unit_group.name}”排名分组。", field="unit_group"
                )
            elif unit.visit_group_id != group.pk:
                raise DomainError(
                    f"{org.display_name}已安排在其他观摩组，不能再由“{group_name}”观摩。",
                    field="group",
                )
            project = refs.project(actor, tour, code) if code else None
            same = tour.sites.filter(
                project=project, unit=unit, visit_date=day, slot_start=start, slot_end=end
            )
            if same.exists():
                self.report.unchanged += 1
                return
            add_site_body(
                actor=actor,
                tour=tour,
                project=project,
                unit=unit,
                visit_date=day,
                slot_start=start,
                slot_end=end,
                presenter_name=presenter,
                presenter_title=presenter_title,
            )
            self.report.created += 1
        except DomainError as exc:
            self.refuse(row, exc, ROUTE_COLUMNS, ROUTE)

    def judge_row(self, row: Row) -> None:
        errors: list[RowError] = []
        username = cell_text(row, "用户名", errors, required=True, max_length=150)
        group_name = cell_text(row, "观摩组", errors, max_length=20)
        conflict = cell_text(row, "回避县", errors, max_length=40)
        if errors:
            self.errors += [RowError(e.row, e.column, f"「{JUDGES}」表{e.message}") for e in errors]
            return
        try:
            user = refs.judge_user(self.tour, username)
            if self.tour.judges.filter(user=user).exists():
                self.report.unchanged += 1
                return
            add_judge_body(
                actor=self.actor,
                tour=self.tour,
                user=user,
                group=refs.group(self.tour, group_name) if group_name else None,
                conflict=refs.unit_org(self.tour, conflict) if conflict else None,
            )
            self.report.created += 1
        except DomainError as exc:
            self.refuse(row, exc, JUDGE_COLUMNS, JUDGES)


@importer(PLAN_KIND, "观摩路线")
def import_tour_plan(
    data: bytes, *, filename: str, actor: User, dry_run: bool, tour: int | None = None
) -> ImportReport:
    """Add the plan's groups, units, sites and judges to a tour in preparation (all or none)."""
    require_role(actor, Role.SUPERVISOR)
    if tour is None:
        raise ImportRejected.whole_file("请指定要导入路线的观摩活动（--tour 活动编号）。")
    found = Tour.objects.visible_to(actor).filter(pk=tour).first()
    if found is None:
        raise ImportRejected.whole_file(f"找不到编号为 {tour} 的观摩活动。")
    route = read_table(
        data,
        sheet=ROUTE,
        headers=ROUTE_HEADERS,
        optional_headers=ROUTE_OPTIONAL,
        allowed_other_sheets=(*INSTRUCTIONS, JUDGES),
    )
    judges = None
    if JUDGES in _sheet_names(data):
        judges = read_table(
            data,
            sheet=JUDGES,
            headers=JUDGE_HEADERS,
            optional_headers=JUDGE_OPTIONAL,
            allowed_other_sheets=(*INSTRUCTIONS, ROUTE),
        )
    rows = len(route.rows) + (len(judges.rows) if judges else 0)
    if not rows:
        raise ImportRejected.whole_file("文件中没有数据行。")
    report = ImportReport(kind=PLAN_KIND, rows=rows, dry_run=dry_run)
    with transaction.atomic():
        try:
            locked = _organiser(actor, found)
            _planning(locked)
        except DomainError as exc:
            raise ImportRejected.whole_file(exc.message) from None
        run = _Run(actor, locked, report)
        for row in route.rows:
            run.route_row(row)
        for row in judges.rows if judges else []:
            run.judge_row(row)
        if run.errors:
            transaction.set_rollback(True)
            raise ImportRejected(run.errors)
        if dry_run or not report.changed:
            transaction.set_rollback(True)
            return report
        record_event(
            actor=actor,
            action="inspections.plan.import",
            obj=locked,
            after={"file": filename, "created": report.created, "unchanged": report.unchanged},
        )
    return report


def plan_template(tour: Tour) -> bytes:
    """The plan template: the two sheets with their headers and the tour's plan so far."""
    sites = tour.sites.select_related(
        "unit__county", "unit__unit_group", "unit__visit_group", "project"
    )
    route_rows = [
        [
            s.unit.visit_group.name if s.unit.visit_group else "",
            s.unit.visit_group.leader_name if s.unit.visit_group else "",
            s.unit.visit_group.leader_title if s.unit.visit_group else "",
            s.unit.county.code,
            s.unit.unit_group.name,
            s.unit.visit_order,
            s.project.code if s.project and s.project.code else "",
            s.visit_date,
            f"{s.slot_start:%H:%M}",
            f"{s.slot_end:%H:%M}",
            s.presenter_name,
            s.presenter_title,
        ]
        for s in sites
    ]
    judge_rows = [
        [j.user.username if j.user else "", j.group.name if j.group else "", ""]
        for j in tour.judges.select_related("user", "group")
        if j.user is not None
    ]
    return workbook_bytes(
        [
            Sheet(
                ROUTE,
                [
                    Column("观摩组", 12),
                    Column("带队领导", 10),
                    Column("带队领导职务", 14),
                    Column("县（市、区）", 14, comment="单位编码或单位名称"),
                    Column("排名分组", 12),
                    Column("观摩顺序", 8, "int"),
                    Column("项目代码", 28, comment="留空表示该单位的县级汇报"),
                    Column("日期", 12, "date"),
                    Column("开始时间", 10),
                    Column("结束时间", 10),
                    Column("讲解人", 10),
                    Column("讲解人职务", 14),
                ],
                route_rows,
            ),
            Sheet(
                JUDGES,
                [
                    Column("用户名", 16),
                    Column("观摩组", 12),
                    Column("回避县", 14, comment="仅市直评委需要：另行回避的县的单位编码"),
                ],
                judge_rows,
            ),
        ]
    )
