"""Registering a deal and moving it through the pipeline: advance (with entry screening at 签约
and 供地), move back with a reason, terminate, override a failed screening."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from dudao.audit.services import record_event
from dudao.core.bounds import check_date
from dudao.core.exceptions import DomainError, InvalidTransition, full_clean_or_raise
from dudao.core.policies import require_role
from dudao.core.snapshot import snapshot
from dudao.investment import rules
from dudao.investment.models import (
    PIPELINE,
    STAGE_DATE_FIELD,
    Deal,
    DealCheck,
    EntryStandard,
    SigningEvent,
    Stage,
)
from dudao.investment.services._base import (
    EVIDENCED,
    OVERRIDERS,
    SCREEN_AT,
    WORKERS,
    A,
    _audit,
    _check_fields,
    _event,
    _in_scope,
    _lock,
    _require_worker,
    _save,
    county_of,
    next_deal_code,
)
from dudao.orgs.models import Organisation
from dudao.projects import rules as project_rules

if TYPE_CHECKING:
    from dudao.accounts.models import User


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
