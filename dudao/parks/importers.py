"""`dudao import parks FILE`: a city loads its own zones (or the province's) without the demo.

CSV (UTF-8) or .xlsx with the header
    code,name,short_name,kind,level,organisation_code,county_code,city_code,
    planned_area_km2,built_area_km2,status,status_from,status_document,industries
Required: code, name. kind/level/status take the code or the Chinese label (产业集聚区, 省级,
省定产业集聚区 …). organisation_code is the park's 管委会 (an existing 产业集聚区管委会 unit;
empty for other cities' parks); county_code a county government's unit code; city_code the
city's 6-digit GB/T 2260 code. industries: "主导:C39:计算机、通信和其他电子设备制造业;新兴:…"
(category : GB/T 4754-2017 code : name, separated by ";"). A row whose code exists updates
the park. All rows are checked first; nothing is written unless every row is right.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction

from dudao.audit.services import record_event
from dudao.core.exceptions import DomainError, NotAllowed
from dudao.core.imports import ImportRejected, ImportReport, RowError, importer
from dudao.core.policies import require_role
from dudao.core.tabular import read_rows
from dudao.core.xlsx import Row, cell_date, cell_decimal, cell_int, cell_text
from dudao.orgs.models import Organisation
from dudao.parks import services
from dudao.parks.models import INDUSTRY_CODE_RE, Park, ParkIndustry, ParkStatus
from dudao.regions.models import Region

if TYPE_CHECKING:
    from dudao.accounts.models import User

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
            RowError(row.number, header, f"应为 {'、'.join(c.label for c in choices)} 之一。")
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


@importer("parks", "园区（编码、名称、类型、级别、管委会、所在县、面积、状态、产业）")
def import_parks(  # noqa: PLR0912, PLR0915 - one linear pass over the columns
    data: bytes, *, filename: str, actor: User, dry_run: bool
) -> ImportReport:
    try:
        require_role(actor, *services.MANAGER_ROLES)
    except NotAllowed as exc:
        raise ImportRejected.whole_file(exc.message) from None
    table = read_rows(data, filename=filename, headers=HEADERS, optional=OPTIONAL)
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
        raise ImportRejected(errors)
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
        raise ImportRejected([failed.error]) from None
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
