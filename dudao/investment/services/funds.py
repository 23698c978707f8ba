"""Funds in place (到位资金): reported per deal and month, verified by another unit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone

from dudao.audit.services import record_event
from dudao.core.bounds import check_amount, check_date
from dudao.core.exceptions import DomainError, InvalidTransition, NotAllowed
from dudao.core.policies import require_role
from dudao.core.snapshot import diff, snapshot
from dudao.core.versions import check_version
from dudao.investment import rules
from dudao.investment.models import (
    Deal,
    DealFunding,
    Stage,
)
from dudao.investment.services._base import (
    VERIFIERS,
    _lock,
    _org,
    _require_worker,
)

if TYPE_CHECKING:
    from dudao.accounts.models import User


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
