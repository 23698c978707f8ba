"""The deal pipeline: every stage transition × role × own/other county, dates, evidence, moves
back only with a reason, 终止, the §5.2 first-signing rule, stale versions, audit."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import pytest
from django.http import Http404
from django.utils import timezone

from dudao.audit.models import AuditEvent
from dudao.core.exceptions import DomainError, InvalidTransition, NotAllowed, StaleObject
from dudao.investment import rules, services
from dudao.investment.models import Deal, DealEvent, SigningEvent, Stage
from dudao.investment.tests.factories import EXAMPLE, VALID_USCC, advance_args, make_deal, walk
from dudao.testing import ACTORS, ActorName, World

pytestmark = pytest.mark.django_db
Outcome = Literal["ok", "forbidden", "not_found"]

# A deal of county A's 发改委: who may move it.
ADVANCE: dict[ActorName, Outcome] = {
    "county_a_reporter": "ok",
    "county_a_reviewer": "ok",
    "park_reporter": "not_found",  # the park's scope does not hold the county's 发改委
    "county_b_reporter": "not_found",
    "city_supervisor": "ok",
    "city_leader": "forbidden",
    "judge": "forbidden",
    "sysadmin": "not_found",  # 三员 see no business data
    "secadmin": "not_found",
    "auditadmin": "not_found",
}
OVERRIDE: dict[ActorName, Outcome] = {
    **{a: ("forbidden" if o == "ok" else o) for a, o in ADVANCE.items()},
    "city_supervisor": "ok",
    "city_leader": "forbidden",
    "judge": "forbidden",
    "sysadmin": "forbidden",
    "secadmin": "forbidden",
    "auditadmin": "forbidden",
    "park_reporter": "forbidden",
    "county_b_reporter": "forbidden",
}


def _outcome(call: object) -> Outcome:
    try:
        call()  # type: ignore[operator]
    except Http404:
        return "not_found"
    except NotAllowed:
        return "forbidden"
    return "ok"


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(
    "stage", [s for s in Stage if s not in (Stage.AT_CAPACITY, Stage.TERMINATED)]
)
def test_every_forward_transition_by_role_and_county(
    world: World, actor: ActorName, stage: str
) -> None:
    deal = walk(world, make_deal(world), stage, actor=world.city_supervisor)
    user = world.actor(actor)
    target = rules.next_stage(deal.stage)
    assert target is not None
    extra = advance_args(target)
    if target == Stage.APPROVED:
        extra["project_code"] = "2604-410100-30-03-000001"
    got = _outcome(
        lambda: services.advance(
            actor=user,
            deal=deal,
            version=deal.version,
            on=timezone.localdate(),
            evidence="佐证",
            **extra,
        )
    )
    assert got == ADVANCE[actor]
    deal.refresh_from_db()
    assert deal.stage == (target if got == "ok" else stage)


@pytest.mark.parametrize("actor", ACTORS)
def test_back_and_terminate_by_role_and_county(world: World, actor: ActorName) -> None:
    deal = walk(world, make_deal(world), Stage.REGISTERED, actor=world.city_supervisor)
    user = world.actor(actor)
    got = _outcome(
        lambda: services.move_back(
            actor=user,
            deal=deal,
            version=deal.version,
            to_stage=Stage.SIGNED,
            reason="营业执照信息录入错误",
        )
    )
    assert got == ADVANCE[actor]
    deal.refresh_from_db()
    got = _outcome(
        lambda: services.terminate(
            actor=user, deal=deal, version=deal.version, reason="investor", note="投资方战略调整"
        )
    )
    assert got == ADVANCE[actor]


@pytest.mark.parametrize("actor", ACTORS)
def test_only_the_supervisor_overrides_a_failed_screening(world: World, actor: ActorName) -> None:
    deal = walk(world, make_deal(world, **EXAMPLE), Stage.SIGNED, override=False)
    assert deal.screening == Deal.Screening.FAILED
    user = world.actor(actor)
    got = _outcome(
        lambda: services.override_screening(
            actor=user, deal=deal, version=deal.version, reason="市政府常务会议研究同意"
        )
    )
    assert got == OVERRIDE[actor]


def test_a_county_officer_walks_a_deal_from_lead_to_capacity(world: World) -> None:
    deal = make_deal(world, actor=world.county_a_reporter)
    assert deal.county == world.county_a
    assert deal.stage == Stage.LEAD
    deal = walk(world, deal, Stage.AT_CAPACITY)
    assert deal.stage == Stage.AT_CAPACITY
    assert deal.screening == Deal.Screening.PASSED
    for field in ("signed_on", "registered_on", "approved_on", "started_on", "producing_on"):
        assert getattr(deal, field) is not None
    assert deal.uscc == VALID_USCC
    actions = list(deal.events.values_list("action", flat=True))
    assert actions == ["create"] + ["advance"] * 8
    assert AuditEvent.objects.filter(action="deal.advance", object_id=str(deal.pk)).count() == 8
    with pytest.raises(InvalidTransition, match="不能再推进"):
        services.advance(
            actor=world.county_a_reporter,
            deal=deal,
            version=deal.version,
            on=timezone.localdate(),
            evidence="x",
        )


def test_a_stage_is_dated_not_before_the_last_and_not_in_the_future(world: World) -> None:
    deal = walk(world, make_deal(world), Stage.NEGOTIATING)
    today = timezone.localdate()
    with pytest.raises(DomainError, match="不能晚于今天"):
        services.advance(
            actor=world.county_a_reporter,
            deal=deal,
            version=deal.version,
            on=today + dt.timedelta(days=1),
            evidence="合同",
            agreement_type="formal",
        )
    with pytest.raises(DomainError, match="不能早于上一阶段"):
        services.advance(
            actor=world.county_a_reporter,
            deal=deal,
            version=deal.version,
            on=deal.lead_on - dt.timedelta(days=1),
            evidence="合同",
            agreement_type="formal",
        )
    with pytest.raises(DomainError, match="佐证"):
        services.advance(
            actor=world.county_a_reporter,
            deal=deal,
            version=deal.version,
            on=today,
            evidence="  ",
            agreement_type="formal",
        )
    with pytest.raises(DomainError, match="协议类型"):
        services.advance(
            actor=world.county_a_reporter,
            deal=deal,
            version=deal.version,
            on=today,
            evidence="合同",
        )
    deal.refresh_from_db()
    assert deal.stage == Stage.NEGOTIATING


def test_registration_needs_a_valid_uscc(world: World) -> None:
    deal = walk(world, make_deal(world), Stage.SIGNED)
    with pytest.raises(DomainError, match="统一社会信用代码"):
        services.advance(
            actor=world.county_a_reporter,
            deal=deal,
            version=deal.version,
            on=timezone.localdate(),
            evidence="营业执照",
            uscc="91110000600037341X",
        )
    with pytest.raises(DomainError, match="统一社会信用代码"):
        services.advance(
            actor=world.county_a_reporter,
            deal=deal,
            version=deal.version,
            on=timezone.localdate(),
            evidence="营业执照",
        )


def test_moving_back_needs_a_reason_and_clears_later_dates(world: World) -> None:
    deal = walk(world, make_deal(world), Stage.STARTED)
    with pytest.raises(DomainError, match="原因"):
        services.move_back(
            actor=world.county_a_reporter,
            deal=deal,
            version=deal.version,
            to_stage=Stage.SIGNED,
            reason=" ",
        )
    with pytest.raises(DomainError, match="之前的阶段"):
        services.move_back(
            actor=world.county_a_reporter,
            deal=deal,
            version=deal.version,
            to_stage=Stage.COMPLETED,
            reason="错误",
        )
    deal = services.move_back(
        actor=world.county_a_reporter,
        deal=deal,
        version=deal.version,
        to_stage=Stage.SIGNED,
        reason="供地批复被撤销",
    )
    assert deal.stage == Stage.SIGNED
    assert deal.registered_on is None
    assert deal.approved_on is None
    assert deal.started_on is None
    assert deal.signed_on is not None
    event = deal.events.last()
    assert event is not None
    assert (event.action, event.from_stage, event.to_stage, event.note) == (
        DealEvent.Action.BACK,
        Stage.STARTED,
        Stage.SIGNED,
        "供地批复被撤销",
    )


def test_a_deal_counts_once_at_its_first_signing(world: World) -> None:
    first = SigningEvent.objects.create(
        name="示范市春季招商推介会",
        held_on=timezone.localdate() - dt.timedelta(days=300),
        organiser=world.city,
    )
    second = SigningEvent.objects.create(
        name="三个一批第九期",
        kind="three_batch",
        held_on=timezone.localdate(),
        organiser=world.city,
    )
    deal = walk(world, make_deal(world), Stage.NEGOTIATING)
    deal = services.advance(
        actor=world.county_a_reporter,
        deal=deal,
        version=deal.version,
        on=timezone.localdate() - dt.timedelta(days=200),
        evidence="框架协议",
        agreement_type="framework",
        signing_event=first,
    )
    signed_first = deal.first_signed_on
    deal = services.move_back(
        actor=world.county_a_reporter,
        deal=deal,
        version=deal.version,
        to_stage=Stage.NEGOTIATING,
        reason="框架协议到期未转正式合同",
    )
    deal = services.advance(
        actor=world.county_a_reporter,
        deal=deal,
        version=deal.version,
        on=timezone.localdate(),
        evidence="正式合同",
        agreement_type="formal",
        signing_event=second,
    )
    assert deal.first_signed_on == signed_first
    assert deal.signing_event == first
    assert deal.signed_on == timezone.localdate()
    assert deal.agreement_type == "formal"


def test_another_countys_signing_event_is_refused(world: World) -> None:
    event = SigningEvent.objects.create(
        name="乙县招商会", held_on=timezone.localdate(), organiser=world.county_b
    )
    deal = walk(world, make_deal(world), Stage.NEGOTIATING)
    with pytest.raises(DomainError, match="签约活动"):
        services.advance(
            actor=world.county_a_reporter,
            deal=deal,
            version=deal.version,
            on=timezone.localdate(),
            evidence="合同",
            agreement_type="formal",
            signing_event=event,
        )


def test_terminate_needs_a_reason_and_is_final(world: World) -> None:
    deal = walk(world, make_deal(world), Stage.SIGNED)
    with pytest.raises(DomainError, match="终止原因"):
        services.terminate(
            actor=world.county_a_reporter, deal=deal, version=deal.version, reason="", note="x"
        )
    with pytest.raises(DomainError, match="说明"):
        services.terminate(
            actor=world.county_a_reporter, deal=deal, version=deal.version, reason="policy", note=""
        )
    deal = services.terminate(
        actor=world.county_a_reporter,
        deal=deal,
        version=deal.version,
        reason="policy",
        note="环保政策调整",
    )
    assert deal.stage == Stage.TERMINATED
    assert deal.terminated_on == timezone.localdate()
    with pytest.raises(InvalidTransition):
        services.advance(
            actor=world.county_a_reporter,
            deal=deal,
            version=deal.version,
            on=timezone.localdate(),
            evidence="x",
        )
    with pytest.raises(InvalidTransition):
        services.move_back(
            actor=world.county_a_reporter,
            deal=deal,
            version=deal.version,
            to_stage=Stage.LEAD,
            reason="x",
        )


def test_a_stale_version_is_refused(world: World) -> None:
    deal = make_deal(world)
    with pytest.raises(StaleObject):
        services.advance(
            actor=world.county_a_reporter,
            deal=deal,
            version=deal.version + 1,
            on=timezone.localdate(),
            evidence="",
        )


def test_a_failed_screening_blocks_the_next_stage_until_overridden(world: World) -> None:
    deal = walk(world, make_deal(world, **EXAMPLE), Stage.SIGNED, override=False)
    assert deal.screening == Deal.Screening.FAILED
    with pytest.raises(InvalidTransition, match="特批"):
        services.advance(
            actor=world.county_a_reporter,
            deal=deal,
            version=deal.version,
            on=timezone.localdate(),
            evidence="营业执照",
            uscc=VALID_USCC,
        )
    with pytest.raises(DomainError, match="理由"):
        services.override_screening(
            actor=world.city_supervisor, deal=deal, version=deal.version, reason=""
        )
    deal = services.override_screening(
        actor=world.city_supervisor,
        deal=deal,
        version=deal.version,
        reason="列入省重点，市政府同意",
    )
    assert deal.screening == Deal.Screening.OVERRIDDEN
    assert deal.override_by == world.city_supervisor
    deal = services.advance(
        actor=world.county_a_reporter,
        deal=deal,
        version=deal.version,
        on=timezone.localdate(),
        evidence="营业执照",
        uscc=VALID_USCC,
    )
    assert deal.stage == Stage.REGISTERED
    assert AuditEvent.objects.filter(action="deal.override", object_id=str(deal.pk)).exists()


def test_a_county_cannot_register_a_deal_for_another_county(world: World) -> None:
    with pytest.raises(DomainError, match="数据范围"):
        make_deal(world, world.county_b_drc, actor=world.county_a_reporter)
    with pytest.raises(DomainError, match="县"):
        make_deal(world, world.supervision_office)
    assert not Deal.objects.exists()
