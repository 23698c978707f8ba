"""`dudao import enterprises FILE` (the registry, from the 市场监管/统计 lists) and
`dudao import enterprise-data FILE` (a year's evaluation figures from the tax, statistics or
power exports). All rows are checked first; nothing is written unless every row is right.

enterprises — header (English codes or the Chinese names in brackets):
    uscc (统一社会信用代码), name (企业名称), industry_code (行业代码), park_code (园区编码),
    organisation_code (管理单位编码), above_scale (规模以上: 是/否 or 规上/规下),
    land_own_mu (自有用地), land_leased_mu (租赁用地), employees (从业人员),
    ungraded_class (不分类管理情形), status (经营状态)
A row whose USCC is registered updates that enterprise.

enterprise-data — header: uscc, year (年度), source (数据来源), then any of the data items
(tax 税收, revenue 营业收入, value_added 工业增加值, energy 综合能耗, power 用电量,
rnd 研发经费, employees 从业人员, land 用地面积, emissions 主要污染物排放量). An empty cell
leaves the figure as it is (missing stays missing, never zero).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction

from dudao.audit.services import record_event
from dudao.core.exceptions import DomainError, NotAllowed
from dudao.core.imports import ImportRejected, ImportReport, RowError, importer
from dudao.core.policies import require_role
from dudao.core.tabular import read_rows
from dudao.core.xlsx import Row, cell_decimal, cell_int, cell_text
from dudao.enterprises import services
from dudao.enterprises.models import Enterprise
from dudao.enterprises.rules import DATA_ITEMS, UngradedClass, UsccError, normalise_uscc
from dudao.enterprises.services.registry import (
    _create_enterprise,
    _save_annual_values,
    _update_enterprise,
)
from dudao.orgs.models import Organisation
from dudao.parks.selectors import parks_in_scope

if TYPE_CHECKING:
    from dudao.accounts.models import User

REGISTRY_HEADERS = ("uscc", "name", "industry_code")
REGISTRY_OPTIONAL = (
    "park_code",
    "organisation_code",
    "above_scale",
    "land_own_mu",
    "land_leased_mu",
    "employees",
    "ungraded_class",
    "status",
)
REGISTRY_ALIASES = {
    "统一社会信用代码": "uscc",
    "企业名称": "name",
    "行业代码": "industry_code",
    "国民经济行业代码": "industry_code",
    "园区编码": "park_code",
    "管理单位编码": "organisation_code",
    "规模以上": "above_scale",
    "自有用地": "land_own_mu",
    "租赁用地": "land_leased_mu",
    "从业人员": "employees",
    "不分类管理情形": "ungraded_class",
    "经营状态": "status",
}
YES = {"是", "规上", "规模以上", "1", "true", "True", "TRUE", "Y", "y"}
NO = {"否", "规下", "规模以下", "0", "false", "False", "FALSE", "N", "n"}


def _uscc(row: Row, errors: list[RowError]) -> str:
    text = cell_text(row, "uscc", errors, required=True)
    if not text:
        return ""
    try:
        return normalise_uscc(text)
    except UsccError as exc:
        errors.append(RowError(row.number, "uscc", str(exc)))
        return ""


def _choice(row: Row, header: str, choices: Any, errors: list[RowError]) -> str | None:
    text = cell_text(row, header, errors)
    if not text:
        return None
    lookup = {c.value: c.value for c in choices} | {c.label: c.value for c in choices}
    if text in {"无", "否"} and header == "ungraded_class":
        return ""
    if text not in lookup:
        errors.append(
            RowError(row.number, header, f"应为 {'、'.join(c.label for c in choices)} 之一。")
        )
        return None
    return str(lookup[text])


def _registry_row(
    row: Row,
    errors: list[RowError],
    parks: dict[str, Any],
    orgs: dict[str, Organisation],
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "uscc": _uscc(row, errors),
        "name": cell_text(row, "name", errors, required=True, max_length=120),
        "industry_code": cell_text(row, "industry_code", errors, required=True),
        "land_own_mu": cell_decimal(row, "land_own_mu", errors, minimum=Decimal(0)),
        "land_leased_mu": cell_decimal(row, "land_leased_mu", errors, minimum=Decimal(0)),
        "employees": cell_int(row, "employees", errors),
    }
    code = fields["industry_code"]
    if code and not (len(code) == 4 and code.isdigit()):
        errors.append(
            RowError(
                row.number, "industry_code", f"应为 GB/T 4754-2017 的4位小类代码，实为「{code}」。"
            )
        )
    scale = cell_text(row, "above_scale", errors)
    if scale in YES or scale in NO:
        fields["above_scale"] = scale in YES
    elif scale:
        errors.append(RowError(row.number, "above_scale", "应填 是/否（或 规上/规下）。"))
    ungraded = _choice(row, "ungraded_class", UngradedClass, errors)
    if ungraded is not None:
        fields["ungraded_class"] = ungraded
    park_code = cell_text(row, "park_code", errors)
    if park_code:
        fields["park"] = parks.get(park_code)
        if fields["park"] is None:
            errors.append(
                RowError(row.number, "park_code", f"园区编码“{park_code}”不存在或不在您的范围内。")
            )
    org_code = cell_text(row, "organisation_code", errors)
    if org_code:
        fields["organisation"] = orgs.get(org_code)
        if fields["organisation"] is None:
            errors.append(
                RowError(
                    row.number, "organisation_code", f"单位编码“{org_code}”不存在或不在您的范围内。"
                )
            )
    elif fields.get("park") is not None:
        fields["organisation"] = fields["park"].organisation
    elif not park_code:
        errors.append(RowError(row.number, "park_code", "园区编码与管理单位编码至少填写一项。"))
    status = _choice(row, "status", Enterprise.Status, errors)
    if status is not None:
        fields["status"] = status
    return fields


class _RowFailed(Exception):
    def __init__(self, error: RowError) -> None:
        self.error = error


def _row_failed(row: Row, exc: DomainError) -> _RowFailed:
    return _RowFailed(RowError(row.number, exc.field or "", exc.message))


@importer(
    "enterprises", "企业名录（统一社会信用代码、名称、行业、园区、规上/规下、用地、从业人员）"
)
def import_enterprises(  # noqa: PLR0912 - one linear pass over the rows
    data: bytes, *, filename: str, actor: User, dry_run: bool
) -> ImportReport:
    try:
        require_role(actor, *services.MANAGER_ROLES)
    except NotAllowed as exc:
        raise ImportRejected.whole_file(exc.message) from None
    table = read_rows(
        data,
        filename=filename,
        headers=REGISTRY_HEADERS,
        optional=REGISTRY_OPTIONAL,
        aliases=REGISTRY_ALIASES,
    )
    errors: list[RowError] = []
    parks = {p.code: p for p in parks_in_scope(actor).select_related("organisation")}
    orgs = {o.code: o for o in Organisation.objects.visible_to(actor)}
    seen: dict[str, int] = {}
    planned: list[tuple[Row, dict[str, Any]]] = []
    for row in table.rows:
        before = len(errors)
        fields = _registry_row(row, errors, parks, orgs)
        uscc = fields["uscc"]
        if uscc and uscc in seen:
            errors.append(RowError(row.number, "uscc", f"与第{seen[uscc]}行统一社会信用代码重复。"))
        elif uscc:
            seen[uscc] = row.number
        if len(errors) == before:
            planned.append((row, fields))
    if errors:
        raise ImportRejected(errors)
    existing = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=list(seen))}
    report = ImportReport(kind="enterprises", rows=len(planned), dry_run=dry_run)
    try:
        with transaction.atomic():
            for row, fields in planned:
                status = fields.pop("status", None)
                current = existing.get(fields["uscc"])
                try:
                    if current is None:
                        if status:
                            fields["status"] = status
                        _create_enterprise(actor=actor, **fields)
                        report.created += 1
                        continue
                    version = current.version
                    updated = _update_enterprise(
                        actor=actor, enterprise=current, version=version, **fields
                    )
                    report.updated += updated.version != version
                    report.unchanged += updated.version == version
                except DomainError as exc:
                    raise _row_failed(row, exc) from None
            if report.changed and not dry_run:
                record_event(
                    actor=actor,
                    action="enterprises.enterprise.import",
                    after={"file": filename, "created": report.created, "updated": report.updated},
                    object_repr=filename,
                )
            if dry_run:
                transaction.set_rollback(True)
    except _RowFailed as failed:
        raise ImportRejected([failed.error]) from None
    return report


DATA_ALIASES = {"统一社会信用代码": "uscc", "年度": "year", "数据来源": "source"} | {
    item.label: code for code, item in DATA_ITEMS.items()
}


@importer(
    "enterprise-data", "企业年度评价数据（税收、营业收入、工业增加值、能耗、用电量等，注明来源）"
)
def import_enterprise_data(  # noqa: PLR0912 - one linear pass over the rows
    data: bytes, *, filename: str, actor: User, dry_run: bool
) -> ImportReport:
    try:
        require_role(actor, *services.MANAGER_ROLES)
    except NotAllowed as exc:
        raise ImportRejected.whole_file(exc.message) from None
    table = read_rows(
        data,
        filename=filename,
        headers=("uscc", "year", "source"),
        optional=tuple(DATA_ITEMS),
        aliases=DATA_ALIASES,
    )
    errors: list[RowError] = []
    visible = {e.uscc: e for e in Enterprise.objects.visible_to(actor)}
    seen: dict[tuple[str, int], int] = {}
    planned: list[tuple[Row, Enterprise, int, dict[str, tuple[Decimal | None, str]]]] = []
    for row in table.rows:
        before = len(errors)
        uscc = _uscc(row, errors)
        year = cell_int(row, "year", errors, required=True, minimum=2000)
        if year is not None and year > 2100:
            errors.append(RowError(row.number, "year", f"年度应为四位年份，实为 {year}。"))
        source = cell_text(row, "source", errors, required=True, max_length=40)
        enterprise = visible.get(uscc) if uscc else None
        if uscc and enterprise is None:
            errors.append(RowError(row.number, "uscc", f"企业 {uscc} 未登记或不在您的范围内。"))
        if uscc and year is not None:
            if (uscc, year) in seen:
                errors.append(
                    RowError(row.number, "uscc", f"与第{seen[(uscc, year)]}行为同一企业同一年度。")
                )
            seen[(uscc, year)] = row.number
        values: dict[str, tuple[Decimal | None, str]] = {}
        for item in DATA_ITEMS:
            number = cell_decimal(row, item, errors, minimum=Decimal(0), places=4)
            if number is not None:
                values[item] = (number, source)
        if len(errors) == before and enterprise is not None and year is not None:
            planned.append((row, enterprise, year, values))
    if errors:
        raise ImportRejected(errors)
    if not set(DATA_ITEMS) & set(table.headers):  # after the rows: their errors come first
        raise ImportRejected.whole_file(
            "文件中没有任何数据项列（如 税收、营业收入、工业增加值、综合能耗、用电量）。"
        )
    report = ImportReport(kind="enterprise-data", rows=len(planned), dry_run=dry_run)
    with transaction.atomic():
        for _row, enterprise, year, values in planned:
            changed, _same = _save_annual_values(
                actor=actor, enterprise=enterprise, year=year, values=values
            )
            report.updated += bool(changed)
            report.unchanged += not changed
        if dry_run:
            transaction.set_rollback(True)
    return report
