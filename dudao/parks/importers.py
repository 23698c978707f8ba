"""`dudao import parks FILE` and the page 产业集聚区 → 导入园区: a city loads its own zones (or
the province's) without the demo.

CSV (UTF-8 or GBK) or .xlsx; the header row is in Chinese (LABELS; the English column keys of
the first version are still accepted, so older files import unchanged):
    园区编码, 园区名称 (required), 简称, 园区类型, 级别, 管委会单位编码, 所在县单位编码,
    所在市行政区划代码, 规划面积（平方公里）, 建成区面积（平方公里）, 状态, 状态起始日期,
    状态依据文件, 产业, 排序
园区类型/级别/状态 take the code or the Chinese label (产业集聚区, 省级, 省定产业集聚区 …).
管委会单位编码 is the park's 管委会 (an existing 产业集聚区管委会 unit; empty for other cities'
parks); 所在县单位编码 a county government's unit code; 所在市行政区划代码 the city's 6-digit
GB/T 2260 code. 产业: "主导:C39:计算机、通信和其他电子设备制造业;新兴:…" (category : GB/T
4754-2017 code : name, separated by ";"). A row whose code exists updates the park. All rows
are checked first; nothing is written unless every row is right.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction

from dudao.audit.services import record_event
from dudao.core.exceptions import DomainError, NotAllowed
from dudao.core.importflow import header_template
from dudao.core.imports import ImportRejected, ImportReport, RowError, importer
from dudao.core.policies import require_role
from dudao.core.tabular import labelled_errors, read_labelled
from dudao.core.xlsx import Row, cell_date, cell_decimal, cell_int, cell_text
from dudao.orgs.models import Organisation
from dudao.parks import services
from dudao.parks.models import INDUSTRY_CODE_RE, Park, ParkIndustry, ParkStatus
from dudao.regions.models import Region

if TYPE_CHECKING:
    from dudao.accounts.models import User

# column key → the Chinese header of the template (the keys are accepted as headers too)
LABELS = {
    "code": "园区编码",
    "name": "园区名称",
    "short_name": "简称",
    "kind": "园区类型",
    "level": "级别",
    "organisation_code": "管委会单位编码",
    "county_code": "所在县单位编码",
    "city_code": "所在市行政区划代码",
    "planned_area_km2": "规划面积（平方公里）",
    "built_area_km2": "建成区面积（平方公里）",
    "status": "状态",
    "status_from": "状态起始日期",
    "status_document": "状态依据文件",
    "industries": "产业",
    "sort_order": "排序",
}
HEADERS = ("code", "name")
OPTIONAL = (
    "short_name",
    "kind",
    "level",
    "organisation_code",
    "county_code",
    "city_code",
    "planned_area_km2",
    "built_area_km2",
    "status",
    "status_from",
    "status_document",
    "industries",
    "sort_order",
)


def _choice(row: Row, header: str, choices: Any, errors: list[RowError], default: str = "") -> str:
    text = cell_text(row, header, errors)
    if not text:
        return default
    lookup = {c.value: c.value for c in choices} | {c.label: c.value for c in choices}
    if text not in lookup:
        errors.append(
            RowError(
                row.number, header, f"“{text}”应为 {'、'.join(c.label for c in choices)} 之一。"
            )
        )
        return default
    return str(lookup[text])


def _industries(row: Row, errors: list[RowError]) -> list[tuple[str, str, str]] | None:
    text = cell_text(row, "industries", errors)
    if not text:
        return None
    roles = (
        {c.value: c.value for c in ParkIndustry.Role}
        | {c.label.removesuffix("产业"): c.value for c in ParkIndustry.Role}
        | {c.label: c.value for c in ParkIndustry.Role}
    )
    result = []
    for item in re.split(r"[;；]", text):
        parts = [p.strip() for p in re.split(r"[:：]", item.strip(), maxsplit=2)]
        if len(parts) > 1:
            parts[1] = parts[1].upper()
        if not item.strip():
            continue
        if len(parts) != 3 or parts[0] not in roles or not re.match(INDUSTRY_CODE_RE, parts[1]):
            errors.append(
                RowError(
                    row.number,
                    "industries",
                    f"“{item.strip()}”格式应为 类别:行业代码:行业名称（类别为主导/新兴/特色，"
                    "行业代码为 GB/T 4754 门类字母或2–4位数字）。",
                )
            )
            continue
        result.append((roles[parts[0]], parts[1], parts[2]))
    return result


def _template(_user: Any) -> bytes:
    return header_template(
        "园区",
        [LABELS[k] for k in HEADERS],
        [LABELS[k] for k in OPTIONAL],
        [
            "园区编码已存在的行会更新该园区；园区类型、级别、状态可填代码或中文名称"
            "（如 产业集聚区、省级、省定产业集聚区）。",
            "管委会单位编码、所在县单位编码见“组织机构”页；所在市行政区划代码为 6 位国家代码。",
            "填写状态时须同时填写状态起始日期（如 2026-03-15）。",
            "产业格式：类别:行业代码:行业名称，多项用分号隔开，例如"
            "“主导:C39:计算机、通信和其他电子设备制造业;新兴:C35:专用设备制造业”"
            "（类别为主导、新兴或特色，"
            "行业代码为国民经济行业分类 GB/T 4754 门类字母或 2–4 位数字）。",
        ],
    )


@importer(
    "parks",
    "园区（编码、名称、类型、级别、管委会、所在县、面积、状态、产业）",
    title="园区",
    help="一次导入或更新本市（或全省）的产业集聚区、开发区等园区：每行一个园区，按园区编码识别，"
    "已有的园区会被更新。整个文件检查无误才写入。",
    template=_template,
    back="parks:list",
    csv=True,
)
def import_parks(  # noqa: PLR0912, PLR0915 - one linear pass over the columns
    data: bytes, *, filename: str, actor: User, dry_run: bool
) -> ImportReport:
    try:
        require_role(actor, *services.MANAGER_ROLES)
    except NotAllowed as exc:
        raise ImportRejected.whole_file(exc.message) from None
    table = read_labelled(
        data, filename=filename, labels=LABELS, required=HEADERS, optional=OPTIONAL
    )
    errors: list[RowError] = []
    orgs = {o.code: o for o in Organisation.objects.visible_to(actor)}
    regions = {r.code: r for r in Region.objects.filter(level=Region.Level.PREFECTURE)}
    existing = {p.code: p for p in Park.objects.all()}
    planned: list[tuple[Row, dict[str, Any], tuple[str, dt.date, str] | None, Any]] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        before = len(errors)
        code = cell_text(row, "code", errors, required=True, max_length=40)
        if code in seen:
            errors.append(RowError(row.number, "code", f"与第{seen[code]}行编码重复。"))
        seen[code] = row.number
        fields: dict[str, Any] = {
            "code": code,
            "name": cell_text(row, "name", errors, required=True, max_length=100),
            "short_name": cell_text(row, "short_name", errors, max_length=40),
            "kind": _choice(row, "kind", Park.Kind, errors, Park.Kind.CLUSTER),
            "level": _choice(row, "level", Park.Level, errors, Park.Level.PROVINCIAL),
            "planned_area_km2": cell_decimal(row, "planned_area_km2", errors, minimum=Decimal(0)),
            "built_area_km2": cell_decimal(row, "built_area_km2", errors, minimum=Decimal(0)),
            "sort_order": cell_int(row, "sort_order", errors) or 0,
        }
        for header, name in (("organisation_code", "organisation"), ("county_code", "county")):
            ref = cell_text(row, header, errors)
            fields[name] = orgs.get(ref) if ref else None
            if ref and fields[name] is None:
                errors.append(
                    RowError(row.number, header, f"单位编码“{ref}”不存在或不在您的范围内。")
                )
        city = cell_text(row, "city_code", errors)
        fields["city_region"] = regions.get(city) if city else None
        if city and fields["city_region"] is None:
            errors.append(RowError(row.number, "city_code", f"“{city}”不是省辖市的行政区划代码。"))
        status = _choice(row, "status", ParkStatus.Status, errors)
        since = cell_date(row, "status_from", errors)
        if status and since is None:
            errors.append(RowError(row.number, "status_from", "填写了状态时须填写起始日期。"))
        document = cell_text(row, "status_document", errors, max_length=200)
        industries = _industries(row, errors)
        if len(errors) == before:
            plan = (status, since, document) if status and since else None
            planned.append((row, fields, plan, industries))
    if errors:
        raise ImportRejected(labelled_errors(errors, LABELS))
    report = ImportReport(kind="parks", rows=len(planned), dry_run=dry_run)
    try:
        with transaction.atomic():
            for row, fields, status_plan, industries in planned:
                changed = _apply(actor, row, fields, status_plan, industries, existing)
                if changed == "created":
                    report.created += 1
                elif changed == "updated":
                    report.updated += 1
                else:
                    report.unchanged += 1
            if report.changed and not dry_run:
                record_event(
                    actor=actor,
                    action="parks.park.import",
                    after={"file": filename, "created": report.created, "updated": report.updated},
                    object_repr=filename,
                )
            if dry_run:
                transaction.set_rollback(True)
    except _RowFailed as failed:
        raise ImportRejected(labelled_errors([failed.error], LABELS)) from None
    return report


class _RowFailed(Exception):
    def __init__(self, error: RowError) -> None:
        self.error = error


def _apply(  # noqa: PLR0917 - one row's parsed parts
    actor: User,
    row: Row,
    fields: dict[str, Any],
    status_plan: tuple[str, dt.date, str] | None,
    industries: list[tuple[str, str, str]] | None,
    existing: dict[str, Park],
) -> str:
    """Create or update one park through the services; return created/updated/unchanged."""
    try:
        park = existing.get(fields["code"])
        outcome = "unchanged"
        if park is None:
            park = services._create_park(actor=actor, **fields)
            outcome = "created"
        else:
            version = park.version
            park = services._update_park(actor=actor, park=park, version=version, **fields)
            if park.version != version:
                outcome = "updated"
        if status_plan is not None:
            status, since, document = status_plan
            current = park.statuses.order_by("-valid_from").first()
            if current is None or (current.status, current.valid_from) != (status, since):
                services._add_status(
                    actor=actor, park=park, status=status, valid_from=since, document=document
                )
                outcome = "updated" if outcome == "unchanged" else outcome
        if industries is not None:
            before = [
                (i.role, i.industry_code, i.industry_name)
                for i in park.industries.order_by("sort_order", "pk")
            ]
            if before != industries:
                services._set_industries(actor=actor, park=park, industries=industries)
                outcome = "updated" if outcome == "unchanged" else outcome
    except DomainError as exc:
        raise _RowFailed(RowError(row.number, exc.field or "", exc.message)) from None
    return outcome
