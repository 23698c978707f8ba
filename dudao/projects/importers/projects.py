"""The projects importer: create or update projects keyed by their national code."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.exceptions import DomainError, NotAllowed
from dudao.core.imports import ImportRejected, ImportReport, RowError, importer
from dudao.core.policies import require_role
from dudao.core.xlsx import (
    Column,
    Row,
    Sheet,
    cell_date,
    cell_decimal,
    cell_text,
    read_table,
    workbook_bytes,
)
from dudao.orgs.models import Organisation
from dudao.parks.selectors import parks_in_scope
from dudao.projects import services
from dudao.projects.codes import (
    check_code_area,
    check_industry_code,
    decode_project_code,
    normalise_uscc,
)
from dudao.projects.importers._common import ZERO, file_digest
from dudao.projects.models import (
    MilestoneNode,
    Project,
    ProjectCategory,
    ProjectMilestone,
)

if TYPE_CHECKING:
    from dudao.accounts.models import User

PROJECT_SHEET = "项目"
P_CODE, P_NAME, P_CATEGORY, P_STAGE, P_NATURE, P_LEVEL = (
    "项目代码",
    "项目名称",
    "项目类别",
    "建设阶段",
    "建设性质",
    "项目级别",
)
P_COUNTY, P_PARK, P_INDUSTRY, P_BUILDER, P_USCC, P_TOTAL = (
    "所在县（市、区）",
    "所在园区编码",
    "行业代码",
    "建设单位",
    "统一社会信用代码",
    "总投资（万元）",
)
P_BEFORE, P_UNIT, P_LEADER, P_LIAISON, P_PHONE, P_PLAN_START, P_START = (
    "纳入系统前累计完成投资（万元）",
    "责任单位",
    "包联领导",
    "联络员",
    "联络电话",
    "计划开工日期",
    "实际开工日期",
)
PROJECT_HEADERS = (P_CODE, P_NAME, P_CATEGORY, P_STAGE, P_LEVEL, P_COUNTY, P_TOTAL)
PROJECT_OPTIONAL = (
    P_NATURE,
    P_PARK,
    P_INDUSTRY,
    P_BUILDER,
    P_USCC,
    P_BEFORE,
    P_UNIT,
    P_LEADER,
    P_LIAISON,
    P_PHONE,
    P_PLAN_START,
    P_START,
)
PROJECT_COLUMNS = [*PROJECT_HEADERS, *PROJECT_OPTIONAL]
_SIMPLE = {
    P_NAME: ("name", 120),
    P_BUILDER: ("builder_name", 100),
    P_UNIT: ("responsible_unit", 100),
    P_LEADER: ("lead_leader", 60),
    P_LIAISON: ("liaison", 40),
    P_PHONE: ("liaison_phone", 20),
}


def projects_template() -> bytes:
    return workbook_bytes([Sheet(PROJECT_SHEET, [Column(h, 16) for h in PROJECT_COLUMNS], [])])


def _choice(row: Row, header: str, choices: Any, errors: list[RowError], default: str = "") -> str:
    text = cell_text(row, header, errors)
    if not text:
        if default:
            return default
        errors.append(RowError(row.number, header, "必填，不能为空。"))
        return ""
    by_label = {label: value for value, label in choices}
    if text in by_label:
        return str(by_label[text])
    errors.append(RowError(row.number, header, f"应为{'/'.join(by_label)}之一，实为「{text}」。"))
    return ""


@importer(
    "projects",
    "重大项目",
    help="把重大项目清单一次导入：每行一个项目，按项目代码识别，再次导入只更新有变化的项目。"
    "所在县须在您的数据范围内。",
    template=lambda _user: projects_template(),
    back="projects:list",
)
def import_projects(  # noqa: PLR0912, PLR0915 - one validation pass over the file
    data: bytes, *, filename: str, actor: User, dry_run: bool
) -> ImportReport:
    """Create or update projects keyed by their national code (counties in the actor's scope)."""
    try:
        require_role(actor, Role.REPORTER, Role.SUPERVISOR)
    except NotAllowed as exc:
        raise ImportRejected.whole_file(exc.message) from exc
    table = read_table(
        data, sheet=PROJECT_SHEET, headers=PROJECT_HEADERS, optional_headers=PROJECT_OPTIONAL
    )
    if not table.rows:
        raise ImportRejected.whole_file("文件中没有数据行。")
    errors: list[RowError] = []
    areas = services.known_area_codes()
    owners = services.area_index()
    counties = {}
    for c in Organisation.objects.visible_to(actor).filter(kind=Organisation.Kind.COUNTY_GOV):
        for key in (c.code, c.name, c.short_name):
            if key:
                counties[key] = c
    categories = {c.name: c for c in ProjectCategory.objects.filter(is_active=True)}
    parks = {p.code: p for p in parks_in_scope(actor)}
    codes_in_file = [cell_text(r, P_CODE, []).upper() for r in table.rows]
    existing = {p.code: p for p in Project.objects.filter(code__in=codes_in_file)}
    visible_ids = set(
        Project.objects.visible_to(actor)
        .filter(code__in=codes_in_file)
        .values_list("pk", flat=True)
    )
    start_node = MilestoneNode.objects.filter(role=MilestoneNode.Role.START).first()
    starts = {
        m.project_id: m
        for m in ProjectMilestone.objects.filter(project__code__in=codes_in_file, node=start_node)
    }
    seen: dict[str, int] = {}
    todo: list[tuple[Project, bool, tuple[date | None, date | None] | None]] = []
    unchanged = 0
    for row in table.rows:
        before = len(errors)
        decoded = None
        code = cell_text(row, P_CODE, errors, required=True).upper()
        if code:
            try:
                decoded = decode_project_code(code, areas)
            except DomainError as exc:
                errors.append(RowError(row.number, P_CODE, exc.message))
            if code in seen:
                errors.append(RowError(row.number, P_CODE, f"与第{seen[code]}行重复。"))
            seen[code] = row.number
        values: dict[str, Any] = {}
        for header, (field, length) in _SIMPLE.items():
            values[field] = cell_text(
                row, header, errors, required=header == P_NAME, max_length=length
            )
        category_name = cell_text(row, P_CATEGORY, errors, required=True)
        if category_name and category_name not in categories:
            errors.append(RowError(row.number, P_CATEGORY, f"未知的项目类别「{category_name}」。"))
        values["stage"] = _choice(row, P_STAGE, Project.Stage.choices, errors)
        values["level"] = _choice(row, P_LEVEL, Project.Level.choices, errors)
        values["build_nature"] = _choice(
            row, P_NATURE, Project.BuildNature.choices, errors, default=Project.BuildNature.NEW
        )
        county_key = cell_text(row, P_COUNTY, errors, required=True)
        county = counties.get(county_key)
        if county_key and county is None:
            errors.append(
                RowError(
                    row.number,
                    P_COUNTY,
                    f"县（市、区）「{county_key}」不存在或不在您的数据范围内。",
                )
            )
        park_code = cell_text(row, P_PARK, errors)
        park = parks.get(park_code) if park_code else None
        if park_code and park is None:
            errors.append(RowError(row.number, P_PARK, f"未知的园区编码「{park_code}」。"))
        elif park and county and park.county_id and park.county_id != county.pk:
            errors.append(RowError(row.number, P_PARK, "该园区不在所填县（市、区）内。"))
        values["total_investment"] = cell_decimal(row, P_TOTAL, errors, required=True, minimum=ZERO)
        values["invest_before"] = cell_decimal(row, P_BEFORE, errors, minimum=ZERO) or ZERO
        try:
            values["industry_code"] = check_industry_code(cell_text(row, P_INDUSTRY, errors))
        except DomainError as exc:
            errors.append(RowError(row.number, P_INDUSTRY, exc.message))
        try:
            values["builder_uscc"] = normalise_uscc(cell_text(row, P_USCC, errors))
        except DomainError as exc:
            errors.append(RowError(row.number, P_USCC, exc.message))
        plan_start = cell_date(row, P_PLAN_START, errors)
        actual_start = cell_date(row, P_START, errors)
        if (
            values.get("stage") == Project.Stage.CONTINUING
            and actual_start is None
            and not (
                code in existing
                and existing[code].pk in starts
                and starts[existing[code].pk].actual_date
            )
        ):
            errors.append(RowError(row.number, P_START, "续建项目必须已开工：请填写实际开工日期。"))
        if decoded is not None and county is not None:
            try:
                check_code_area(decoded.code, decoded.area, county.pk, owners)
            except DomainError as exc:
                errors.append(RowError(row.number, P_CODE, exc.message))
        if len(errors) > before or decoded is None or county is None:
            continue
        old = existing.get(code)
        if old is not None and old.pk not in visible_ids:
            errors.append(
                RowError(row.number, P_CODE, "该项目代码已被其他县（市、区）的项目使用。")
            )
            continue
        project = old or Project(code=code)
        values.update(category=categories[category_name], county=county, park=park)
        changed = old is None
        for field, value in values.items():
            if field in ("category", "county", "park"):
                current: Any = getattr(project, f"{field}_id")
                new: Any = value.pk if value is not None else None
            else:
                current, new = getattr(project, field), value
            if old is None or current != new:
                setattr(project, field, value)
                changed = changed or current != new
        project.code_scheme, project.code_year = decoded.scheme, decoded.year
        project.code_month, project.code_area = decoded.month, decoded.area
        project.code_sector, project.code_type = decoded.sector, decoded.type_code
        start = (plan_start, actual_start) if (plan_start or actual_start) else None
        if start and old is not None and old.pk in starts:
            m = starts[old.pk]
            if (m.planned_date, m.actual_date) != start:
                changed = True
        elif start:
            changed = True
        if not changed:
            unchanged += 1
            continue
        todo.append((project, old is None, start))
    if errors:
        raise ImportRejected(errors)
    created = [p for p, new, _ in todo if new]
    updated = [p for p, new, _ in todo if not new]
    report = ImportReport(
        "projects",
        rows=len(table.rows),
        created=len(created),
        updated=len(updated),
        unchanged=unchanged,
        dry_run=dry_run,
    )
    if dry_run or not report.changed:
        return report
    with transaction.atomic():
        now = timezone.now()
        for p in updated:
            p.version += 1
            p.updated_at = now
        Project.objects.bulk_create(created, batch_size=1000)
        fields = [
            *(v for v, _ in _SIMPLE.values()),
            "stage",
            "level",
            "build_nature",
            "category",
            "county",
            "park",
            "total_investment",
            "invest_before",
            "industry_code",
            "builder_uscc",
            "code_scheme",
            "code_year",
            "code_month",
            "code_area",
            "code_sector",
            "code_type",
            "version",
            "updated_at",
        ]
        Project.objects.bulk_update(updated, fields, batch_size=1000)
        if start_node is not None:
            ProjectMilestone.objects.filter(
                project__in=[p for p, _, s in todo if s], node=start_node
            ).delete()
            ProjectMilestone.objects.bulk_create(
                [
                    ProjectMilestone(
                        project=p, node=start_node, planned_date=s[0], actual_date=s[1]
                    )
                    for p, _, s in todo
                    if s
                ]
            )
        record_event(
            actor=actor,
            action="project.import",
            organisation=actor.organisation,
            after={
                "kind": "projects",
                "file": filename,
                "sha256": file_digest(data),
                **report.as_dict(),
            },
            object_repr=f"项目导入：{filename}",
        )
    return report
