"""三个一批: periods and their 签约/开工/投产 lists."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from dudao.audit.services import record_event
from dudao.core.bounds import check_date
from dudao.core.exceptions import DomainError, InvalidTransition, full_clean_or_raise
from dudao.core.policies import require_role
from dudao.core.snapshot import snapshot
from dudao.investment import rules
from dudao.investment.models import (
    STAGE_DATE_FIELD,
    Deal,
    Stage,
    ThreeBatchEntry,
    ThreeBatchPeriod,
)
from dudao.investment.services._base import (
    OVERRIDERS,
    WORKERS,
    _lock,
    _require_worker,
    is_worker,
)

if TYPE_CHECKING:
    from dudao.accounts.models import User


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
