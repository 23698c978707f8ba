"""Imports of 招商引资 from Excel (.xlsx) or CSV, through the `dudao import` registry.

    dudao import deals 招商台账.xlsx --as USERNAME [--dry-run]
    dudao import funds 到位资金.xlsx --as USERNAME [--dry-run]

The whole file is checked first (every error with its row and column, in Chinese); then every
row is written in one transaction, or nothing. Deals are matched by 原台账编号 and funds by
(项目编号, 月份): the same file twice changes nothing the second time and says so.
Funds are written in bulk with one audit event for the file (20,000 rows in well under a second);
the per-row rules are those of `services.report_funds` (signed deals only, no future month, a
verified month is final, a total above the contract needs a note).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from dudao.audit.services import record_event
from dudao.core.exceptions import DomainError
from dudao.core.importflow import header_template
from dudao.core.imports import ImportRejected, ImportReport, RowError, importer
from dudao.core.periods import parse_month
from dudao.core.policies import require_role
from dudao.core.tabular import read_rows
from dudao.core.xlsx import Row, cell_date, cell_decimal, cell_text
from dudao.investment import rules, services
from dudao.investment.models import Deal, DealEvent, DealFunding, Stage
from dudao.orgs.models import Organisation
from dudao.projects import rules as project_rules

if TYPE_CHECKING:
    from dudao.accounts.models import User

DEAL_REQUIRED = ("原台账编号", "项目名称", "投资方", "责任单位编码")
DEAL_OPTIONAL = (
    "线索日期",
    "资金来源",
    "签约类型",
    "行业代码",
    "合同投资额（万元）",
    "固定资产投资（万元）",
    "用地面积（亩）",
    "达产后年产值（万元）",
    "达产后年税收（万元）",
    "包联领导",
)
FUND_REQUIRED = ("项目编号", "月份", "到位资金（万元）", "佐证")
FUND_OPTIONAL = ("说明",)

ORIGINS = {label: value for value, label in Deal.Origin.choices}
KINDS = {label: value for value, label in Deal.SigningKind.choices}
DEAL_NUMBERS = {
    "合同投资额（万元）": "contract_investment",
    "固定资产投资（万元）": "fixed_asset_investment",
    "用地面积（亩）": "land_mu",
    "达产后年产值（万元）": "expected_output",
    "达产后年税收（万元）": "expected_tax",
}


def _choice(row: Row, header: str, table: dict[str, str], errors: list[RowError]) -> str | None:
    text = cell_text(row, header, errors)
    if not text:
        return None
    if text not in table:
        errors.append(RowError(row.number, header, f"应为{'、'.join(table)}之一，实为「{text}」。"))
        return None
    return table[text]


# --- deals --------------------------------------------------------------------------------------


@dataclass
class DealRow:
    number: int
    ref: str
    fields: dict[str, Any]
    responsible: Organisation
    lead_on: dt.date | None


def _parse_deal(
    row: Row, orgs: dict[str, Organisation], today: dt.date, errors: list[RowError]
) -> DealRow | None:
    before = len(errors)
    ref = cell_text(row, "原台账编号", errors, required=True, max_length=40)
    name = cell_text(row, "项目名称", errors, required=True, max_length=120)
    investor = cell_text(row, "投资方", errors, required=True, max_length=120)
    code = cell_text(row, "责任单位编码", errors, required=True)
    responsible = orgs.get(code)
    if code and responsible is None:
        errors.append(
            RowError(row.number, "责任单位编码", f"「{code}」不存在或不在您的数据范围内。")
        )
    lead_on = cell_date(row, "线索日期", errors)
    if lead_on is not None and lead_on > today:
        errors.append(RowError(row.number, "线索日期", "不能晚于今天。"))
    fields: dict[str, Any] = {"name": name, "investor": investor}
    origin = _choice(row, "资金来源", ORIGINS, errors)
    if origin:
        fields["investor_origin"] = origin
    kind = _choice(row, "签约类型", KINDS, errors)
    if kind:
        fields["signing_kind"] = kind
    industry = cell_text(row, "行业代码", errors)
    if industry:
        try:
            fields["industry_code"] = project_rules.check_industry_code(industry)
        except DomainError as exc:
            errors.append(RowError(row.number, "行业代码", exc.message))
    for header, name_ in DEAL_NUMBERS.items():
        value = cell_decimal(row, header, errors, minimum=Decimal(0))
        if value is not None:
            if name_ == "land_mu" and value == 0:
                errors.append(RowError(row.number, header, "用地面积必须大于 0 亩。"))
            fields[name_] = value
    leader = cell_text(row, "包联领导", errors, max_length=40)
    if leader:
        fields["leader"] = leader
    if len(errors) > before or responsible is None:
        return None
    return DealRow(row.number, ref, fields, responsible, lead_on)


@importer(
    "deals",
    "招商项目台账",
    help="把已有的招商项目台账一次导入：每行一个项目，按原台账编号识别，再次导入只更新有变化的"
    "项目。责任单位编码见“组织机构”页。",
    template=lambda _user: header_template(
        "招商项目台账",
        DEAL_REQUIRED,
        DEAL_OPTIONAL,
        [
            "资金来源可填：" + "、".join(ORIGINS) + "；签约类型可填：" + "、".join(KINDS) + "。",
            "金额单位万元，用地面积单位亩；线索日期如 2026-03-15。",
        ],
    ),
    back="investment:board",
    csv=True,
)
def import_deals(data: bytes, *, filename: str, actor: User, dry_run: bool) -> ImportReport:
    """Register (as 线索) or update the deals of an existing ledger, matched by 原台账编号."""
    require_role(actor, *services.WORKERS)
    table = read_rows(data, filename=filename, headers=DEAL_REQUIRED, optional=DEAL_OPTIONAL)
    today = timezone.localdate()
    orgs = {o.code: o for o in Organisation.objects.visible_to(actor).filter(is_active=True)}
    errors: list[RowError] = []
    parsed: list[DealRow] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        item = _parse_deal(row, orgs, today, errors)
        if item is None:
            continue
        if item.ref in seen:
            errors.append(
                RowError(row.number, "原台账编号", f"与第{seen[item.ref]}行重复：「{item.ref}」。")
            )
            continue
        seen[item.ref] = row.number
        parsed.append(item)
    if not table.rows:
        errors.append(RowError(0, "", "文件中没有数据行。"))
    existing = {
        d.external_ref: d
        for d in Deal.objects.filter(external_ref__in=list(seen)).select_related("responsible_org")
    }
    visible = set(
        Deal.objects.visible_to(actor)
        .filter(external_ref__in=list(seen))
        .values_list("pk", flat=True)
    )
    for item in parsed:
        deal = existing.get(item.ref)
        if deal is not None and deal.pk not in visible:
            errors.append(
                RowError(item.number, "原台账编号", f"「{item.ref}」已被其他县登记，不能在此更新。")
            )
    if errors:
        raise ImportRejected(errors)
    report = ImportReport(kind="deals", rows=len(parsed), dry_run=dry_run)
    changes = _plan_deals(parsed, existing, report)
    if not dry_run and changes:
        _write_deals(actor, changes)
    return report


Change = tuple[DealRow, Deal | None, dict[str, Any]]


def _plan_deals(
    parsed: list[DealRow], existing: dict[str | None, Deal], report: ImportReport
) -> list[Change]:
    changes: list[Change] = []
    for item in parsed:
        deal = existing.get(item.ref)
        if deal is None:
            report.created += 1
            changes.append((item, None, item.fields))
            continue
        diff = {k: v for k, v in item.fields.items() if getattr(deal, k) != v}
        if deal.responsible_org_id != item.responsible.pk:
            diff["responsible_org"] = item.responsible
        if diff:
            report.updated += 1
            changes.append((item, deal, diff))
        else:
            report.unchanged += 1
    return changes


@transaction.atomic(durable=True)
def _write_deals(actor: User, changes: list[Change]) -> None:
    try:
        for item, deal, fields in changes:
            if deal is None:
                created = services._create_deal(
                    actor=actor,
                    responsible_org=item.responsible,
                    lead_on=item.lead_on,
                    action=DealEvent.Action.IMPORT,
                    **fields,
                )
                Deal.objects.filter(pk=created.pk).update(external_ref=item.ref)
            else:
                services._update_deal(actor=actor, deal=deal, version=None, **fields)
    except DomainError as exc:
        raise ImportRejected([RowError(item.number, "", exc.message)]) from None


# --- funds --------------------------------------------------------------------------------------


@dataclass
class FundRow:
    number: int
    deal: Deal
    month: dt.date
    amount: Decimal
    evidence: str
    note: str


def _month(row: Row, errors: list[RowError], cache: dict[str, dt.date | str]) -> dt.date | None:
    """The month of a row; a file repeats a few dozen months, so each text is parsed once."""
    value = row.get("月份")
    if isinstance(value, (dt.date, dt.datetime)):
        return dt.date(value.year, value.month, 1)
    text = cell_text(row, "月份", errors, required=True)
    if not text:
        return None
    if text not in cache:
        try:
            period = parse_month(text, field="month")
            cache[text] = dt.date(period.year, period.first_month, 1)
        except DomainError as exc:
            cache[text] = exc.message
    found = cache[text]
    if isinstance(found, str):
        errors.append(RowError(row.number, "月份", found))
        return None
    return found


@dataclass
class _Context:
    """What every row of a funds file is checked against, looked up once."""

    deals: dict[str, Deal]
    workable: dict[int, bool]
    months: dict[str, dt.date | str]
    this_month: dt.date


def _parse_fund(row: Row, actor: User, ctx: _Context, errors: list[RowError]) -> FundRow | None:
    before = len(errors)
    code = cell_text(row, "项目编号", errors, required=True)
    deal = ctx.deals.get(code)
    if deal is not None and deal.pk not in ctx.workable:
        ctx.workable[deal.pk] = services.is_worker(actor, deal)
    if code and deal is None:
        errors.append(RowError(row.number, "项目编号", f"「{code}」不存在或不在您的数据范围内。"))
    elif deal is not None and not ctx.workable[deal.pk]:
        errors.append(RowError(row.number, "项目编号", f"您不能为「{code}」报送到位资金。"))
    elif deal is not None and rules.stage_index(deal.stage) < rules.stage_index(Stage.SIGNED):
        errors.append(RowError(row.number, "项目编号", f"「{code}」尚未签约，不能报送到位资金。"))
    month = _month(row, errors, ctx.months)
    if month is not None and month > ctx.this_month:
        errors.append(RowError(row.number, "月份", "不能报送未来月份的到位资金。"))
    amount = cell_decimal(row, "到位资金（万元）", errors, required=True, minimum=Decimal(0))
    evidence = cell_text(row, "佐证", errors, required=True, max_length=200)
    note = cell_text(row, "说明", errors, max_length=200)
    if len(errors) > before or deal is None or month is None or amount is None:
        return None
    return FundRow(row.number, deal, month, amount, evidence, note)


@dataclass(frozen=True)
class _Stored:
    """A stored month of funds, read as plain values (a province file meets 100,000+ of them)."""

    pk: int
    amount: Decimal
    evidence: str
    note: str
    verified: bool
    version: int


Stored = dict[tuple[int, dt.date], _Stored]


def _stored(parsed: list[FundRow]) -> tuple[Stored, dict[int, Decimal]]:
    """The stored months the file touches (as plain values) and each deal's stored total: two
    queries, whatever the history (a province file meets 100,000+ stored months)."""
    deal_ids = {p.deal.pk for p in parsed}
    months = {p.month for p in parsed}
    keys = {(p.deal.pk, p.month) for p in parsed}
    rows = DealFunding.objects.filter(deal_id__in=deal_ids, month__in=months).values_list(
        "deal_id", "month", "pk", "amount", "evidence", "note", "verified", "version"
    )
    stored = {
        (d, m): _Stored(pk, amount, evidence, note, verified, version)
        for d, m, pk, amount, evidence, note, verified, version in rows.iterator(chunk_size=5000)
        if (d, m) in keys
    }
    totals = dict(
        DealFunding.objects.filter(deal_id__in=deal_ids)
        .order_by()
        .values_list("deal_id")
        .annotate(s=Sum("amount"))
        .values_list("deal_id", "s")
    )
    return stored, totals


def _check_funds(
    parsed: list[FundRow], existing: Stored, totals: dict[int, Decimal], errors: list[RowError]
) -> None:
    """A verified month is final. As in `services.report_funds`, the deal's total may not pass
    its contract investment without a note: the file's rows are added in month order to what is
    stored (less the months they replace), and a row that takes the total past the contract
    needs a note."""
    base: dict[int, Decimal] = {d: Decimal(t or 0) for d, t in totals.items()}
    for p in parsed:
        old = existing.get((p.deal.pk, p.month))
        if old is None:
            continue
        base[p.deal.pk] = base.get(p.deal.pk, Decimal(0)) - old.amount
        if old.verified and (old.amount, old.evidence, old.note) != (p.amount, p.evidence, p.note):
            errors.append(
                RowError(p.number, "到位资金（万元）", f"{p.month:%Y年%m月}已核实，不能修改。")
            )
    running = dict(base)
    for p in sorted(parsed, key=lambda r: (r.deal.pk, r.month)):
        running[p.deal.pk] = running.get(p.deal.pk, Decimal(0)) + p.amount
        if running[p.deal.pk] > p.deal.contract_investment and not p.note:
            errors.append(
                RowError(
                    p.number, "说明", "累计到位资金超过合同投资额，请在说明中写明原因（如增资）。"
                )
            )


@importer(
    "funds",
    "招商项目到位资金",
    help="按月导入已签约项目的到位资金：每行一个项目一个月份，写明佐证（如银行回单编号）。"
    "同一项目同一月份再次导入会更新该月的数额。",
    template=lambda _user: header_template(
        "到位资金",
        FUND_REQUIRED,
        FUND_OPTIONAL,
        ["项目编号为系统中的招商项目编号；月份如 2026-03；金额单位万元。"],
    ),
    back="investment:figures",
    csv=True,
)
def import_funds(data: bytes, *, filename: str, actor: User, dry_run: bool) -> ImportReport:
    """到位资金 per deal and month, matched by (项目编号, 月份); verified months are final."""
    require_role(actor, *services.WORKERS)
    table = read_rows(data, filename=filename, headers=FUND_REQUIRED, optional=FUND_OPTIONAL)
    codes = {str(r.get("项目编号") or "").strip() for r in table.rows}
    ctx = _Context(
        deals={
            d.code: d
            for d in Deal.objects.visible_to(actor)
            .filter(code__in=codes)
            .select_related("responsible_org")
        },
        workable={},
        months={},
        this_month=timezone.localdate().replace(day=1),
    )
    org = services._org(actor)
    errors: list[RowError] = []
    parsed: list[FundRow] = []
    seen: dict[tuple[int, dt.date], int] = {}
    for row in table.rows:
        item = _parse_fund(row, actor, ctx, errors)
        if item is None:
            continue
        key = (item.deal.pk, item.month)
        if key in seen:
            errors.append(
                RowError(row.number, "月份", f"与第{seen[key]}行重复（同一项目同一月份）。")
            )
            continue
        seen[key] = row.number
        parsed.append(item)
    if not table.rows:
        errors.append(RowError(0, "", "文件中没有数据行。"))
    existing, totals = _stored(parsed)
    _check_funds(parsed, existing, totals, errors)
    if errors:
        raise ImportRejected(errors)
    report = ImportReport(kind="funds", rows=len(parsed), dry_run=dry_run)
    new: list[FundRow] = []
    changed: list[tuple[FundRow, _Stored]] = []
    for p in parsed:
        old = existing.get((p.deal.pk, p.month))
        if old is None:
            new.append(p)
        elif (old.amount, old.evidence, old.note) != (p.amount, p.evidence, p.note):
            changed.append((p, old))
    report.created, report.updated = len(new), len(changed)
    report.unchanged = len(parsed) - len(new) - len(changed)
    if not dry_run and (new or changed):
        _write_funds(actor, org, new, changed)
    return report


@transaction.atomic(durable=True)
def _write_funds(
    actor: User, org: Organisation, new: list[FundRow], changed: list[tuple[FundRow, _Stored]]
) -> None:
    now = timezone.now()
    DealFunding.objects.bulk_create(
        (
            DealFunding(
                deal_id=p.deal.pk,
                month=p.month,
                amount=p.amount,
                evidence=p.evidence,
                note=p.note,
                reported_by_id=actor.pk,
                reporting_org_id=org.pk,
                created_at=now,
            )
            for p in new
        ),
        batch_size=2000,
    )
    updates = [
        DealFunding(
            pk=old.pk,
            amount=p.amount,
            evidence=p.evidence,
            note=p.note,
            reported_by_id=actor.pk,
            reporting_org_id=org.pk,
            version=old.version + 1,
        )
        for p, old in changed
    ]
    DealFunding.objects.bulk_update(
        updates,
        ["amount", "evidence", "note", "reported_by", "reporting_org", "version"],
        batch_size=2000,
    )
    total = sum((p.amount for p in (*new, *(c[0] for c in changed))), Decimal(0))
    record_event(
        actor=actor,
        action="deal.funds_import",
        organisation=org,
        after={"created": len(new), "updated": len(changed), "amount": str(total)},
        object_repr=f"导入到位资金 {len(new) + len(changed)} 条",
    )
