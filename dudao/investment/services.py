"""Writes of 招商引资. Every public function is one transaction with one audit event and (for a
deal) one timeline entry (DealEvent). Keyword-only, `actor` first.

Who may do what (roles only open the door; the scope decides the rest):
* register, edit, advance, move back, terminate a deal, report funds: 填报员 / 审核员 / 督查员
  whose data scope holds the deal's responsible unit (a county's 商务局 or the county itself);
* verify funds: 审核员 / 督查员 of a unit other than the one that reported them (as the ledger's
  close-out);
* override a failed entry screening: 督查员 only, with a reason;
* promote into the project registry: 填报员 / 督查员 (as `projects.services.create_project`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Sum
from django.http import Http404
from django.utils import timezone

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.bounds import check_amount, check_date
from dudao.core.exceptions import DomainError, InvalidTransition, NotAllowed, full_clean_or_raise
from dudao.core.policies import require_role
from dudao.core.snapshot import diff, snapshot
from dudao.core.versions import check_version
from dudao.investment import rules
from dudao.investment.models import (
    PIPELINE,
    STAGE_DATE_FIELD,
    ChainEnterprise,
    ChainNode,
    Deal,
    DealCheck,
    DealEvent,
    DealFunding,
    EntryStandard,
    IndustryChain,
    SigningEvent,
    Stage,
    ThreeBatchEntry,
    ThreeBatchPeriod,
)
from dudao.orgs.models import Organisation
from dudao.projects import rules as project_rules

if TYPE_CHECKING:
    from dudao.accounts.models import User

WORKERS = (Role.REPORTER, Role.REVIEWER, Role.SUPERVISOR)
VERIFIERS = (Role.REVIEWER, Role.SUPERVISOR)
OVERRIDERS = (Role.SUPERVISOR,)
PROMOTERS = (Role.REPORTER, Role.SUPERVISOR)
A = DealEvent.Action

DEAL_FIELDS = (
    "name",
    "investor",
    "investor_origin",
    "is_fortune500",
    "responsible_org",
    "leader",
    "chain",
    "chain_node",
    "industry_code",
    "zone_level",
    "signing_kind",
    "contract_investment",
    "fixed_asset_investment",
    "out_of_province_amount",
    "foreign_amount",
    "land_mu",
    "expected_output",
    "expected_tax",
    "expected_roi",
    "plot_ratio",
    "building_coverage",
    "energy_intensity",
    "rd_intensity",
    "pollution_class",
    "tech_level",
    "planned_production_on",
)
AMOUNT_FIELDS = {
    "contract_investment": "万元",
    "fixed_asset_investment": "万元",
    "out_of_province_amount": "万元",
    "foreign_amount": "万元",
    "land_mu": "亩",
    "expected_output": "万元",
    "expected_tax": "万元",
    "expected_roi": "%",
    "plot_ratio": "",
    "building_coverage": "%",
    "energy_intensity": "吨标准煤/万元",
    "rd_intensity": "%",
}
LABELS = {
    "contract_investment": "合同投资额",
    "fixed_asset_investment": "固定资产投资",
    "out_of_province_amount": "省外资金",
    "foreign_amount": "外资",
    "land_mu": "用地面积",
    "expected_output": "达产后年产值",
    "expected_tax": "达产后年税收",
    "expected_roi": "投资回报率",
    "plot_ratio": "容积率",
    "building_coverage": "建筑系数",
    "energy_intensity": "单位产值能耗",
    "rd_intensity": "研发投入强度",
}
# Stages whose reaching needs a document (协议, 营业执照, 批复, 开工报告 …).
EVIDENCED = frozenset(PIPELINE[PIPELINE.index(Stage.SIGNED) :])
# Where the entry screening runs (§5.5): at 签约 and at 供地/立项.
SCREEN_AT: dict[str, str] = {
    Stage.SIGNED: DealCheck.Point.SIGNING,
    Stage.APPROVED: DealCheck.Point.LAND,
}


# --- helpers ------------------------------------------------------------------------------------


def _org(actor: User) -> Organisation:
    if actor.organisation is None:
        raise DomainError("您的账户未归属任何单位，不能办理招商项目。")
    return actor.organisation


def _in_scope(actor: User, org: Organisation) -> bool:
    return org.path.startswith(_org(actor).scope_path)


def is_worker(actor: User, deal: Deal) -> bool:
    """The actor may act for the deal's responsible unit."""
    org = actor.organisation
    return (
        org is not None
        and actor.has_role(*WORKERS)
        and deal.responsible_org.path.startswith(org.scope_path)
    )


def _require_worker(actor: User, deal: Deal) -> None:
    require_role(actor, *WORKERS)
    if not is_worker(actor, deal):
        raise NotAllowed(f"只有责任单位“{deal.responsible_org.name}”（或其上级）的人员可以办理。")


def _lock(actor: User, deal: Deal | int, version: int | None) -> Deal:
    pk = deal.pk if isinstance(deal, Deal) else deal
    locked = (
        Deal.objects.visible_to(actor)
        .select_for_update()
        .select_related("responsible_org", "county")
        .filter(pk=pk)
        .first()
    )
    if locked is None:
        raise Http404("招商项目不存在或不在您的数据范围内。")
    check_version(locked, version, what=f"招商项目（{locked.code}）")
    return locked


def _save(deal: Deal) -> Deal:
    deal.version = F("version") + 1
    deal.updated_at = timezone.now()
    deal.save()
    deal.refresh_from_db()
    return deal


def _event(
    deal: Deal,
    actor: User | None,
    action: str,
    *,
    on: dt.date,
    before: str = "",
    evidence: str = "",
    note: str = "",
) -> DealEvent:
    return DealEvent.objects.create(
        deal=deal,
        action=action,
        from_stage=before,
        to_stage=deal.stage,
        happened_on=on,
        evidence=evidence,
        note=note,
        actor=actor,
        organisation=actor.organisation if actor is not None else None,
    )


def _audit(actor: User, action: str, deal: Deal, before: dict[str, Any], reason: str = "") -> None:
    changed_before, changed_after = diff(before, snapshot(deal))
    record_event(
        actor=actor,
        action=action,
        obj=deal,
        organisation=deal.responsible_org,
        before=changed_before,
        after=changed_after,
        reason=reason,
    )


def _check_fields(actor: User, fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(DEAL_FIELDS)
    if unknown:
        raise DomainError(f"不可填写的字段：{'、'.join(sorted(unknown))}")
    out = dict(fields)
    for name, unit in AMOUNT_FIELDS.items():
        value = out.get(name)
        if value is None:
            continue
        label = LABELS[name]
        number = check_amount(value, unit=unit or "万元", label=label, field=name)
        if number < 0:
            raise DomainError(f"{label}不能为负数。", field=name)
        out[name] = number
    if "industry_code" in out:
        out["industry_code"] = project_rules.check_industry_code(out["industry_code"] or "")
    node = out.get("chain_node")
    if node is not None:
        chain = out.get("chain") or node.chain
        if node.chain_id != chain.pk:
            raise DomainError("产业链节点不属于所选产业链。", field="chain_node")
        out["chain"] = chain
    planned = out.get("planned_production_on")
    if planned is not None:
        check_date(planned, label="计划投产日期", field="planned_production_on")
    return out


def next_deal_code(year: int) -> str:
    """ZS2026-00001 … (numbered per year; called under the write lock of the new row)."""
    prefix = f"ZS{year}-"
    last = (
        Deal.objects.filter(code__startswith=prefix)
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    return f"{prefix}{(int(last.rsplit('-', 1)[1]) + 1 if last else 1):05d}"


def county_of(org: Organisation) -> Organisation | None:
    """The county government that `org` is or lies under."""
    segments = org.path.split(".")[:-1]
    prefixes = [".".join(segments[:n]) + "." for n in range(1, len(segments) + 1)]
    return (
        Organisation.objects.filter(path__in=prefixes, kind=Organisation.Kind.COUNTY_GOV)
        .order_by("-depth")
        .first()
    )


# --- registering --------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def create_deal(
    *,
    actor: User,
    name: str,
    investor: str,
    responsible_org: Organisation,
    lead_on: dt.date | None = None,
    **fields: Any,
) -> Deal:
    """Register a deal (线索) for a responsible unit in the actor's scope; the county is the
    unit's county."""
    return _create_deal(
        actor=actor,
        name=name,
        investor=investor,
        responsible_org=responsible_org,
        lead_on=lead_on,
        action=A.CREATE,
        **fields,
    )


def _create_deal(
    *,
    actor: User,
    name: str,
    investor: str,
    responsible_org: Organisation,
    lead_on: dt.date | None,
    action: str,
    **fields: Any,
) -> Deal:
    require_role(actor, *WORKERS)
    if not responsible_org.is_active or not _in_scope(actor, responsible_org):
        raise DomainError("责任单位不存在或不在您的数据范围内。", field="responsible_org")
    county = county_of(responsible_org)
    if county is None:
        raise DomainError("责任单位必须是某县（市、区）或其下属单位。", field="responsible_org")
    today = timezone.localdate()
    lead_on = lead_on or today
    check_date(lead_on, label="线索日期", field="lead_on")
    if lead_on > today:
        raise DomainError("线索日期不能晚于今天。", field="lead_on")
    data = _check_fields(actor, fields)
    deal = Deal(
        code=next_deal_code(today.year),
        name=(name or "").strip(),
        investor=(investor or "").strip(),
        responsible_org=responsible_org,
        county=county,
        lead_on=lead_on,
        stage=Stage.LEAD,
        created_by=actor,
        **data,
    )
    full_clean_or_raise(deal, validate_unique=True)
    deal.save()
    record_event(
        actor=actor,
        action="deal.create",
        obj=deal,
        organisation=responsible_org,
        after=snapshot(deal),
    )
    _event(deal, actor, action, on=lead_on)
    return deal


@transaction.atomic(durable=True)
def update_deal(*, actor: User, deal: Deal | int, version: int | None, **fields: Any) -> Deal:
    """Edit a deal's facts (not its stage: that is `advance` / `move_back` / `terminate`)."""
    return _update_deal(actor=actor, deal=deal, version=version, **fields)


def _update_deal(*, actor: User, deal: Deal | int, version: int | None, **fields: Any) -> Deal:
    """`update_deal` inside the caller's transaction (the ledger import)."""
    locked = _lock(actor, deal, version)
    _require_worker(actor, locked)
    if locked.is_terminated:
        raise InvalidTransition("已终止的招商项目不能修改。")
    data = _check_fields(actor, fields)
    new_org = data.get("responsible_org")
    if new_org is not None and (
        not _in_scope(actor, new_org) or county_of(new_org) != locked.county
    ):
        raise DomainError(
            "责任单位必须在本县（市、区）且在您的数据范围内。", field="responsible_org"
        )
    before = snapshot(locked)
    for key, value in data.items():
        setattr(locked, key, value)
    full_clean_or_raise(locked, validate_unique=True)
    _save(locked)
    _audit(actor, "deal.update", locked, before)
    return locked


# --- the pipeline -------------------------------------------------------------------------------


def _previous_date(deal: Deal) -> dt.date:
    """The latest stage date reached so far (a new stage cannot be dated before it)."""
    dates = [
        getattr(deal, STAGE_DATE_FIELD[s]) for s in PIPELINE[: rules.stage_index(deal.stage) + 1]
    ]
    return max(d for d in dates if isinstance(d, dt.date))


@transaction.atomic(durable=True)
def advance(
    *,
    actor: User,
    deal: Deal | int,
    version: int | None,
    on: dt.date,
    evidence: str = "",
    note: str = "",
    agreement_type: str = "",
    signing_event: SigningEvent | None = None,
    uscc: str = "",
    project_code: str = "",
) -> Deal:
    """Move the deal to the next stage, dated and evidenced. At 签约 and 供地/立项 the entry
    screening runs; a deal that failed it cannot go further until a 督查员 overrides."""
    locked = _lock(actor, deal, version)
    _require_worker(actor, locked)
    target = rules.next_stage(locked.stage)
    if target is None:
        raise InvalidTransition(f"招商项目当前为“{locked.stage_label()}”，不能再推进。")
    if locked.screening == Deal.Screening.FAILED:
        raise InvalidTransition("该项目未通过准入核查，须由督查员特批后才能继续推进。")
    today = timezone.localdate()
    check_date(on, label="日期", field="on")
    if on > today:
        raise DomainError("阶段日期不能晚于今天。", field="on")
    previous = _previous_date(locked)
    if on < previous:
        raise DomainError(f"阶段日期不能早于上一阶段的日期（{previous:%Y-%m-%d}）。", field="on")
    evidence = (evidence or "").strip()[:200]
    if target in EVIDENCED and not evidence:
        raise DomainError(
            f"推进到“{Stage(target).label}”须填写佐证材料（文号或名称）。", field="evidence"
        )
    before = snapshot(locked)
    from_stage = locked.stage
    if target == Stage.SIGNED:
        _sign(actor, locked, on, agreement_type, signing_event)
    elif target == Stage.REGISTERED:
        locked.uscc = project_rules.normalise_uscc(uscc or locked.uscc, field="uscc")
        if not locked.uscc:
            raise DomainError("注册须填写项目公司的统一社会信用代码。", field="uscc")
    elif target == Stage.APPROVED:
        code = (project_code or locked.project_code or "").strip()
        if not code:
            raise DomainError("供地/立项须填写投资项目代码。", field="project_code")
        locked.project_code = _checked_code(code)
    locked.stage = target
    setattr(locked, STAGE_DATE_FIELD[target], on)
    if target in SCREEN_AT:
        _run_screening(locked, SCREEN_AT[target], on)
    full_clean_or_raise(locked, validate_unique=True)
    _save(locked)
    _audit(actor, "deal.advance", locked, before, reason=note)
    _event(locked, actor, A.ADVANCE, on=on, before=from_stage, evidence=evidence, note=note)
    return locked


def _checked_code(code: str) -> str:
    """The national project code, validated and decoded by the registry's own rule (§2.5)."""
    from dudao.projects import services as project_services

    try:
        return project_rules.decode_project_code(code, project_services.known_area_codes()).code
    except DomainError as exc:
        raise DomainError(exc.message, field="project_code") from None


def _sign(
    actor: User, deal: Deal, on: dt.date, agreement_type: str, event: SigningEvent | None
) -> None:
    """§5.2: the first signing is the one that counts; a re-signing after a move back keeps it."""
    if agreement_type not in Deal.Agreement.values:
        raise DomainError("签约须选择协议类型（框架协议或正式合同）。", field="agreement_type")
    if deal.contract_investment <= 0:
        raise DomainError("签约前请填写合同投资额。", field="contract_investment")
    # A city event is open to every county; a county's own event to that county only.
    if event is not None and not deal.county.path.startswith(event.organiser.path):
        raise DomainError("签约活动不存在或不属于本县及上级。", field="signing_event")
    deal.agreement_type = agreement_type
    if deal.first_signed_on is None:
        deal.first_signed_on = on
        deal.signing_event = event


def _run_screening(deal: Deal, point: str, on: dt.date) -> None:
    """Replace the checks of this point; the deal's screening is failed when any check fails."""
    standards = EntryStandard.objects.select_related("jurisdiction").filter(is_active=True)
    results = rules.screen(deal, standards, on, deal.county.path)
    DealCheck.objects.filter(deal=deal, point=point).delete()
    DealCheck.objects.bulk_create(
        DealCheck(
            deal=deal,
            point=point,
            standard=r.standard,
            label=r.label,
            value=r.value,
            passed=r.passed,
            message=r.message[:200],
            checked_on=on,
        )
        for r in results
    )
    deal.screening = (
        Deal.Screening.FAILED if any(not r.passed for r in results) else Deal.Screening.PASSED
    )
    deal.override_reason = ""
    deal.override_by = None


@transaction.atomic(durable=True)
def move_back(
    *, actor: User, deal: Deal | int, version: int | None, to_stage: str, reason: str
) -> Deal:
    """Move a deal back to an earlier stage (a wrong entry, an agreement cancelled): only with a
    reason. The later stage dates are cleared; the first signing stays counted once (§5.2)."""
    locked = _lock(actor, deal, version)
    _require_worker(actor, locked)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("退回阶段须填写原因。", field="reason")
    current = rules.stage_index(locked.stage)
    target = rules.stage_index(to_stage)
    if current < 0:
        raise InvalidTransition("已终止的招商项目不能退回阶段。")
    if target < 0 or target >= current:
        raise DomainError("只能退回到当前阶段之前的阶段。", field="to_stage")
    before = snapshot(locked)
    from_stage = locked.stage
    for stage in PIPELINE[target + 1 :]:
        setattr(locked, STAGE_DATE_FIELD[stage], None)
    locked.stage = to_stage
    for stage, point in SCREEN_AT.items():
        if rules.stage_index(stage) > target:
            DealCheck.objects.filter(deal=locked, point=point).delete()
    if target < rules.stage_index(Stage.SIGNED):
        locked.screening = Deal.Screening.NONE
        locked.override_reason = ""
        locked.override_by = None
    _save(locked)
    _audit(actor, "deal.back", locked, before, reason=reason)
    _event(locked, actor, A.BACK, on=timezone.localdate(), before=from_stage, note=reason)
    return locked


@transaction.atomic(durable=True)
def terminate(
    *,
    actor: User,
    deal: Deal | int,
    version: int | None,
    reason: str,
    note: str,
    on: dt.date | None = None,
) -> Deal:
    """终止 with a reason (投资方原因 / 政策原因 / 其他) and a note."""
    locked = _lock(actor, deal, version)
    _require_worker(actor, locked)
    if locked.is_terminated:
        raise InvalidTransition("该招商项目已终止。")
    if reason not in Deal.TerminationReason.values:
        raise DomainError("请选择终止原因。", field="reason")
    note = (note or "").strip()
    if not note:
        raise DomainError("终止须填写说明。", field="note")
    on = on or timezone.localdate()
    check_date(on, label="终止日期", field="on")
    before = snapshot(locked)
    from_stage = locked.stage
    locked.stage = Stage.TERMINATED
    locked.terminated_on = on
    locked.termination_reason = reason
    locked.termination_note = note
    _save(locked)
    _audit(actor, "deal.terminate", locked, before, reason=note)
    _event(locked, actor, A.TERMINATE, on=on, before=from_stage, note=note)
    return locked


@transaction.atomic(durable=True)
def override_screening(*, actor: User, deal: Deal | int, version: int | None, reason: str) -> Deal:
    """特批: a 督查员 lets a deal that failed the entry screening go on, with a reason."""
    require_role(actor, *OVERRIDERS)
    locked = _lock(actor, deal, version)
    if locked.screening != Deal.Screening.FAILED:
        raise InvalidTransition("只有未通过准入核查的项目需要特批。")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("特批须填写理由。", field="reason")
    before = snapshot(locked)
    locked.screening = Deal.Screening.OVERRIDDEN
    locked.override_reason = reason
    locked.override_by = actor
    _save(locked)
    _audit(actor, "deal.override", locked, before, reason=reason)
    _event(locked, actor, A.OVERRIDE, on=timezone.localdate(), before=locked.stage, note=reason)
    return locked


# --- promotion into the project registry -------------------------------------------------------


PROMOTABLE = frozenset({Stage.APPROVED, Stage.STARTED})
PROJECT_STAGE: dict[str, str] = {Stage.APPROVED: "preparation", Stage.STARTED: "new"}


@transaction.atomic(durable=True)
def promote(
    *, actor: User, deal: Deal | int, version: int | None, category: Any, level: str
) -> Deal:
    """转入重大项目库: at 供地/立项 or 开工 the deal becomes a project of the registry through
    `projects.services._create_project` (same validation, same audit), prefilled from the deal;
    the link is kept both ways (Deal.project ↔ Project.investment_deal). Idempotent: a deal
    already promoted returns unchanged."""
    from dudao.projects import services as project_services

    require_role(actor, *PROMOTERS)
    locked = _lock(actor, deal, None)
    if locked.project_id is not None:
        return locked
    check_version(locked, version, what=f"招商项目（{locked.code}）")
    _require_worker(actor, locked)
    if locked.stage not in PROMOTABLE:
        raise InvalidTransition("只有处于“供地/立项”或“开工”阶段的招商项目可以转入重大项目库。")
    if locked.screening == Deal.Screening.FAILED:
        raise InvalidTransition("该项目未通过准入核查，须由督查员特批后才能转入重大项目库。")
    project = project_services._create_project(
        actor=actor,
        code=locked.project_code or None,
        name=locked.name,
        category=category,
        stage=PROJECT_STAGE[locked.stage],
        level=level,
        county=locked.county,
        build_nature="new",
        industry_code=locked.industry_code,
        builder_name=locked.investor[:100],
        builder_uscc=locked.uscc,
        total_investment=locked.contract_investment,
        responsible_unit=locked.responsible_org.name[:100],
        lead_leader=locked.leader,
        description=f"由招商项目 {locked.code} 转入",
    )
    before = snapshot(locked)
    locked.project = project
    _save(locked)
    _audit(actor, "deal.promote", locked, before)
    _event(
        locked, actor, A.PROMOTE, on=timezone.localdate(), before=locked.stage, note=project.name
    )
    return locked


# --- funds in place -----------------------------------------------------------------------------


@transaction.atomic(durable=True)
def report_funds(
    *,
    actor: User,
    deal: Deal | int,
    month: dt.date,
    amount: Decimal | int | str,
    evidence: str,
    note: str = "",
) -> DealFunding:
    """到位资金 of one month (replaces an unverified figure of the same month). The total can
    never exceed the contract investment without a note."""
    locked = _lock(actor, deal, None)
    _require_worker(actor, locked)
    return _report_funds(actor, locked, month, amount, evidence, note)


def _report_funds(  # noqa: PLR0917 - internal, called by the service and the import
    actor: User, deal: Deal, month: dt.date, amount: Decimal | int | str, evidence: str, note: str
) -> DealFunding:
    if rules.stage_index(deal.stage) < rules.stage_index(Stage.SIGNED):
        raise InvalidTransition("签约后才能报送到位资金。")
    month = month.replace(day=1)
    check_date(month, label="月份", field="month")
    if month > timezone.localdate():
        raise DomainError("不能报送未来月份的到位资金。", field="month")
    value = check_amount(amount, unit="万元", label="到位资金", field="amount")
    if value < 0:
        raise DomainError("到位资金不能为负数。", field="amount")
    evidence = (evidence or "").strip()[:200]
    if not evidence:
        raise DomainError("请填写佐证材料（银行进账单、验资报告等）。", field="evidence")
    note = (note or "").strip()[:200]
    others = DealFunding.objects.filter(deal=deal).exclude(month=month).aggregate(s=Sum("amount"))[
        "s"
    ] or Decimal("0")
    if others + value > deal.contract_investment and not note:
        raise DomainError(
            "累计到位资金将超过合同投资额，请在说明中写明原因（如增资）。", field="note"
        )
    existing = DealFunding.objects.select_for_update().filter(deal=deal, month=month).first()
    if existing is not None and existing.verified:
        raise InvalidTransition(f"{month:%Y年%m月}的到位资金已核实，不能修改。")
    before = snapshot(existing) if existing else {}
    row = existing or DealFunding(
        deal=deal, month=month, reported_by=actor, reporting_org=_org(actor)
    )
    row.amount, row.evidence, row.note = value, evidence, note
    row.reported_by, row.reporting_org = actor, _org(actor)
    if existing is not None:
        row.version = existing.version + 1
    row.save()
    changed_before, changed_after = diff(before, snapshot(row))
    record_event(
        actor=actor,
        action="deal.funds",
        obj=row,
        organisation=deal.responsible_org,
        before=changed_before,
        after=changed_after,
    )
    return row


def verifier_refusal(actor: User, funding: DealFunding) -> str | None:
    org = _org(actor)
    for unit in (funding.deal.responsible_org, funding.reporting_org):
        if org.path.startswith(unit.path):
            return (
                f"到位资金须由报送单位以外的单位核实：您所在的“{org.name}”"
                f"是报送或责任单位“{unit.name}”{'' if org.pk == unit.pk else '的下级单位'}。"
            )
    return None


@transaction.atomic(durable=True)
def verify_funds(*, actor: User, funding: DealFunding | int, version: int | None) -> DealFunding:
    """核实: by a 审核员 / 督查员 of a unit other than the reporting and responsible unit."""
    require_role(actor, *VERIFIERS)
    pk = funding.pk if isinstance(funding, DealFunding) else funding
    visible = Deal.objects.visible_to(actor).values("pk")
    row = (
        DealFunding.objects.select_for_update()
        .select_related("deal__responsible_org", "reporting_org")
        .filter(pk=pk, deal__in=visible)
        .first()
    )
    if row is None:
        raise Http404("到位资金记录不存在或不在您的数据范围内。")
    check_version(row, version, what="到位资金记录")
    if row.verified:
        raise InvalidTransition("该笔到位资金已核实。")
    refusal = verifier_refusal(actor, row)
    if refusal:
        raise NotAllowed(refusal)
    before = snapshot(row)
    row.verified = True
    row.verified_by = actor
    row.verifier_org = _org(actor)
    row.verified_at = timezone.now()
    row.version += 1
    row.save()
    changed_before, changed_after = diff(before, snapshot(row))
    record_event(
        actor=actor,
        action="deal.funds_verify",
        obj=row,
        organisation=row.deal.responsible_org,
        before=changed_before,
        after=changed_after,
    )
    return row


# --- follow-up: hand a stalled deal to the problem ledger ---------------------------------------


@transaction.atomic(durable=True)
def send_to_ledger(
    *, actor: User, deal: Deal | int, category: Any, deadline: dt.date | None = None, note: str = ""
) -> Any:
    """A stalled deal becomes a problem of the ledger (问题台账) through the ledger's own
    `create_problem`, assigned to the deal's responsible unit."""
    from dudao.problems import services as problem_services

    require_role(actor, Role.SUPERVISOR, Role.REVIEWER)
    locked = _lock(actor, deal, None)
    if locked.is_terminated:
        raise InvalidTransition("已终止的招商项目不需要督办。")
    text = (
        note or ""
    ).strip() or f"招商项目“{locked.name}”推进停滞（当前阶段：{locked.stage_label()}）"
    problem = problem_services.create_problem(
        actor=actor,
        source="supervision",
        category=category,
        title=f"{locked.name}：推进停滞"[:120],
        description=text,
        responsible_org=locked.responsible_org,
        county=locked.county,
        project=locked.project,
        deadline=deadline,
        source_ref=f"investment.deal:{locked.pk}",
    )
    record_event(
        actor=actor,
        action="deal.send",
        obj=locked,
        organisation=locked.responsible_org,
        after={"problem": problem.code},
        reason=text,
    )
    _event(
        locked,
        actor,
        A.SEND,
        on=timezone.localdate(),
        before=locked.stage,
        note=f"转入问题台账 {problem.code}",
    )
    return problem


# --- follow-up: hand a stalled deal to the supervision task list ------------------------------

TASK_DEADLINE_DAYS = 30


@transaction.atomic(durable=True)
def send_to_supervision(
    *, actor: User, deal: Deal | int, deadline: dt.date | None = None, note: str = ""
) -> Any:
    """A stalled deal becomes an issued task of the supervision task list (督查督办) through the
    supervision module's own `_create_task` (交办 in the same transaction), led by the deal's
    responsible unit, with the stall light in its content. Idempotent: a deal already sent
    returns its task and creates nothing."""
    from dudao.investment.selectors import stall_rules
    from dudao.supervision import services as supervision

    require_role(actor, Role.SUPERVISOR)
    locked = _lock(actor, deal, None)
    if locked.supervision_task_id is not None:
        return locked.supervision_task
    if locked.is_terminated:
        raise InvalidTransition("已终止的招商项目不需要督办。")
    today = timezone.localdate()
    deadline = deadline or today + dt.timedelta(days=TASK_DEADLINE_DAYS)
    check_date(deadline, label="完成时限", field="deadline")
    if deadline < today:
        raise DomainError("完成时限不能早于今天。", field="deadline")
    stall = rules.stall_of(locked, stall_rules(), today)
    situation = f"当前阶段：{locked.stage_label()}"
    if stall.text:
        situation += f"，{stall.text}（{stall.light.label}）"
    note = (note or "").strip()
    if len(note) > 2000:
        raise DomainError("督办要求不能超过2000个字。", field="note")
    content = f"招商项目“{locked.name}”（{locked.code}）推进停滞，{situation}。"
    if note:
        content += f"督办要求：{note}"
    nxt = rules.next_stage(locked.stage)
    goal = (
        f"推动项目尽快进入“{Stage(nxt).label}”阶段，按期反馈推进情况。"
        if nxt
        else "推动项目稳定达产，按期反馈推进情况。"
    )
    source = supervision._create_source(
        actor=actor,
        kind="other",
        title=f"招商引资跟踪问效：{locked.name}"[:120],
        source_date=today,
        text=content,
        source_ref=f"investment.deal:{locked.pk}",
    )
    task = supervision._create_task(
        actor=actor,
        source=source,
        title=f"{locked.name}：推进停滞督办"[:120],
        content=content,
        goal=goal,
        lead_org=locked.responsible_org,
        responsible_person=(locked.leader or "")[:40],
        deadline=deadline,
        issue=True,
    )
    before = snapshot(locked)
    locked.supervision_task = task
    locked = _save(locked)
    _, changed_after = diff(before, snapshot(locked))
    record_event(
        actor=actor,
        action="deal.send_task",
        obj=locked,
        organisation=locked.responsible_org,
        after={**changed_after, "task": task.code},
        reason=content,
    )
    _event(locked, actor, A.SEND, on=today, before=locked.stage, note=f"移交督查督办 {task.code}")
    return task


# --- 三个一批 -------------------------------------------------------------------------------------

# The stage a deal must have reached to be on each list (§2.7).
LIST_STAGE: dict[str, str] = {
    ThreeBatchEntry.List.SIGNING: Stage.SIGNED,
    ThreeBatchEntry.List.START: Stage.STARTED,
    ThreeBatchEntry.List.PRODUCTION: Stage.PRODUCING,
}


@transaction.atomic(durable=True)
def create_period(
    *, actor: User, number: int, held_on: dt.date, venue: str = ""
) -> ThreeBatchPeriod:
    """A new 期次 (督查员 of the city)."""
    require_role(actor, *OVERRIDERS)
    check_date(held_on, label="举办日期", field="held_on")
    if not 1 <= number <= 10_000:
        raise DomainError("期次应为 1–10000 的整数。", field="number")
    if ThreeBatchPeriod.objects.filter(number=number).exists():
        raise DomainError(f"第{number}期已存在。", field="number")
    period = ThreeBatchPeriod(number=number, held_on=held_on, venue=(venue or "").strip()[:80])
    full_clean_or_raise(period, validate_unique=True)
    period.save()
    record_event(actor=actor, action="three_batch.period", obj=period, after=snapshot(period))
    return period


@transaction.atomic(durable=True)
def add_to_list(
    *, actor: User, period: ThreeBatchPeriod, list_kind: str, deal: Deal | int
) -> ThreeBatchEntry:
    """Put a deal on one of the period's lists: it must have reached the list's stage by the
    period's date (签约一批: signed; 开工一批: started; 投产一批: in production)."""
    locked = _lock(actor, deal, None)
    _require_worker(actor, locked)
    return _add_to_list(actor, period, list_kind, locked)


def _add_to_list(
    actor: User, period: ThreeBatchPeriod, list_kind: str, deal: Deal
) -> ThreeBatchEntry:
    stage = LIST_STAGE.get(list_kind)
    if stage is None:
        raise DomainError("名单应为签约一批、开工一批或投产一批。", field="list")
    reached_on = getattr(deal, STAGE_DATE_FIELD[stage])
    if not rules.reached(deal, stage) or reached_on is None or reached_on > period.held_on:
        label = ThreeBatchEntry.List(list_kind).label
        raise InvalidTransition(
            f"{deal.code} 在第{period.number}期举办日前未达到“{Stage(stage).label}”，"
            f"不能列入{label}。"
        )
    if ThreeBatchEntry.objects.filter(period=period, list=list_kind, deal=deal).exists():
        raise InvalidTransition(f"{deal.code} 已在本期该名单中。")
    entry = ThreeBatchEntry.objects.create(
        period=period, list=list_kind, deal=deal, amount=deal.contract_investment, added_by=actor
    )
    record_event(
        actor=actor,
        action="three_batch.entry",
        obj=entry,
        organisation=deal.responsible_org,
        after={"period": period.number, "list": list_kind, "deal": deal.code},
    )
    return entry


@transaction.atomic(durable=True)
def propose_production(*, actor: User, period: ThreeBatchPeriod) -> list[ThreeBatchEntry]:
    """投产一批 generated from the previous period's 开工一批 (§2.7): every deal of that list in
    the actor's scope that has since gone into production is added (already listed ones skipped)."""
    require_role(actor, *WORKERS)
    previous = ThreeBatchPeriod.objects.filter(number__lt=period.number).order_by("-number").first()
    if previous is None:
        raise InvalidTransition(f"第{period.number}期之前没有期次，无法生成投产一批。")
    visible = Deal.objects.visible_to(actor).values("pk")
    candidates = Deal.objects.filter(
        pk__in=ThreeBatchEntry.objects.filter(
            period=previous, list=ThreeBatchEntry.List.START, deal__in=visible
        ).values("deal")
    ).select_related("responsible_org")
    listed = set(
        ThreeBatchEntry.objects.filter(
            period=period, list=ThreeBatchEntry.List.PRODUCTION
        ).values_list("deal_id", flat=True)
    )
    added = []
    for deal in candidates:
        if deal.pk in listed or not is_worker(actor, deal):
            continue
        if deal.producing_on is None or deal.producing_on > period.held_on:
            continue
        if not rules.reached(deal, Stage.PRODUCING):
            continue
        added.append(_add_to_list(actor, period, ThreeBatchEntry.List.PRODUCTION, deal))
    return added


# --- the industry chain map (产业图谱) ----------------------------------------------------------


def _require_chain_editor(actor: User, chain: IndustryChain) -> None:
    """The chain's own area edits it: the city's chains by city 督查员, a county's by its staff."""
    require_role(actor, *WORKERS)
    if not chain.organisation.path.startswith(_org(actor).scope_path):
        raise NotAllowed(f"只有“{chain.organisation.name}”的人员可以维护产业链“{chain.name}”。")


@transaction.atomic(durable=True)
def add_chain_node(
    *,
    actor: User,
    chain: IndustryChain,
    segment: str,
    name: str,
    coverage: str,
    industry_code: str = "",
) -> ChainNode:
    """A link of the chain (上游/中游/下游) with its GB/T 4754 code and coverage."""
    _require_chain_editor(actor, chain)
    node = ChainNode(
        chain=chain,
        segment=segment,
        name=(name or "").strip(),
        coverage=coverage,
        industry_code=project_rules.check_industry_code(industry_code),
    )
    full_clean_or_raise(node, validate_unique=True)
    node.save()
    record_event(
        actor=actor,
        action="chain.node",
        obj=node,
        organisation=chain.organisation,
        after=snapshot(node),
    )
    return node


@transaction.atomic(durable=True)
def add_chain_enterprise(
    *,
    actor: User,
    node: ChainNode,
    role: str,
    name: str,
    uscc: str = "",
    origin: str = Deal.Origin.OUT_OF_PROVINCE,
    is_fortune500: bool = False,
) -> ChainEnterprise:
    """An anchor enterprise (its USCC checked with python-stdnum) or a 招商 target of a node."""
    _require_chain_editor(actor, node.chain)
    code = project_rules.normalise_uscc(uscc, field="uscc")
    if role == ChainEnterprise.Role.ANCHOR and not code:
        raise DomainError("骨干企业须填写统一社会信用代码。", field="uscc")
    enterprise = ChainEnterprise(
        node=node,
        role=role,
        name=(name or "").strip(),
        uscc=code,
        origin=origin,
        is_fortune500=is_fortune500,
    )
    full_clean_or_raise(enterprise)
    enterprise.save()
    record_event(
        actor=actor,
        action="chain.enterprise",
        obj=enterprise,
        organisation=node.chain.organisation,
        after=snapshot(enterprise),
    )
    return enterprise


# --- the registry drives a promoted deal --------------------------------------------------------

MILESTONE_STAGE: dict[str, str] = {
    "start": Stage.STARTED,
    "complete": Stage.COMPLETED,
    "produce": Stage.PRODUCING,
}


def follow_project_milestone(
    *, project_id: int, role: str, on: dt.date, actor: User | None
) -> Deal | None:
    """Inside the projects service's transaction (an approved report): the promoted deal goes
    forward to the stage of the report's milestone, each skipped stage dated the same day, with
    one timeline entry and one audit event. A terminated deal, or one already there, is left."""
    target = MILESTONE_STAGE.get(role)
    deal = (
        Deal.objects.select_for_update()
        .select_related("responsible_org")
        .filter(project_id=project_id)
        .first()
    )
    if target is None or deal is None or deal.is_terminated:
        return None
    current = rules.stage_index(deal.stage)
    if current >= rules.stage_index(target):
        return deal
    on = max(on, _previous_date(deal))
    before = snapshot(deal)
    from_stage = deal.stage
    for stage in PIPELINE[current + 1 : rules.stage_index(target) + 1]:
        setattr(deal, STAGE_DATE_FIELD[stage], on)
    deal.stage = target
    _save(deal)
    changed_before, changed_after = diff(before, snapshot(deal))
    record_event(
        actor=actor,
        action="deal.advance",
        obj=deal,
        organisation=deal.responsible_org,
        before=changed_before,
        after=changed_after,
        reason="重大项目月报审核通过",
    )
    _event(
        deal,
        actor,
        A.ADVANCE,
        on=on,
        before=from_stage,
        evidence="重大项目月报（已审核）",
        note="由重大项目库月报推进",
    )
    return deal
