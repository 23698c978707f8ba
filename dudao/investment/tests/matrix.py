"""招商引资 in the policy matrix test (dudao/core/tests/policy_matrix.py).

"own" is a deal of the actor's county (county A for city-wide actors); "other" one of another
county (404 for county actors).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dudao.core.tests.policy_matrix import ObjectArgs, Ownership, Scope
    from dudao.testing import ActorName, World


def _deal(world: World, actor: ActorName, ownership: Ownership) -> int:
    from dudao.investment.tests.factories import make_deal

    user = world.actor(actor)
    if ownership == "own" and user.organisation.scope_path.startswith(world.park_a.path):
        return make_deal(world, world.park_a).pk  # the park committee's own deal
    county = world.home_county(actor) if ownership == "own" else world.other_county(actor)
    responsible = world.county_a_drc if county == world.county_a else world.county_b_drc
    return make_deal(world, responsible).pk


def _funding(world: World, actor: ActorName, ownership: Ownership) -> dict[str, object]:
    import datetime as dt

    from django.utils import timezone

    from dudao.investment import services
    from dudao.investment.models import Deal
    from dudao.investment.tests.factories import walk

    pk = _deal(world, actor, ownership)
    deal = Deal.objects.get(pk=pk)
    reporter = world.city_supervisor
    walk(world, deal, "signed", actor=reporter)
    month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    row = services.report_funds(
        actor=reporter, deal=pk, month=month, amount="100", evidence="进账单"
    )
    return {"pk": pk, "funding_pk": row.pk}


def _funding_api(world: World, actor: ActorName, ownership: Ownership) -> dict[str, object]:
    return {"funding_id": _funding(world, actor, ownership)["funding_pk"]}


def _period(world: World, actor: ActorName, ownership: Ownership) -> dict[str, object]:
    import datetime as dt

    from dudao.investment.models import ThreeBatchPeriod

    period = world.once(
        "three_batch_period",
        lambda: ThreeBatchPeriod.objects.create(number=1, held_on=dt.date(2026, 4, 6)),
    )
    return {"pk": period.pk}


OBJECTS: dict[str, tuple[Scope, ObjectArgs]] = {
    "investment:detail": ("org", lambda w, a, o: {"pk": _deal(w, a, o)}),
    "investment:transition": ("org", lambda w, a, o: {"pk": _deal(w, a, o)}),
    "investment:override": ("org", lambda w, a, o: {"pk": _deal(w, a, o)}),
    "investment:promote": ("org", lambda w, a, o: {"pk": _deal(w, a, o)}),
    "investment:funds": ("org", lambda w, a, o: {"pk": _deal(w, a, o)}),
    "investment:funds_verify": ("org", _funding),
    "investment:send": ("org", lambda w, a, o: {"pk": _deal(w, a, o)}),
    "investment:send_task": ("org", lambda w, a, o: {"pk": _deal(w, a, o)}),
    "api:deal_send_task": ("org", lambda w, a, o: {"deal_id": _deal(w, a, o)}),
    "api:deal_detail": ("org", lambda w, a, o: {"deal_id": _deal(w, a, o)}),
    "api:deal_transition": ("org", lambda w, a, o: {"deal_id": _deal(w, a, o)}),
    "api:deal_override": ("org", lambda w, a, o: {"deal_id": _deal(w, a, o)}),
    "api:deal_promote": ("org", lambda w, a, o: {"deal_id": _deal(w, a, o)}),
    "api:deal_funds": ("org", lambda w, a, o: {"deal_id": _deal(w, a, o)}),
    "api:deal_funds_verify": ("org", _funding_api),
    "investment:batch": ("global", _period),
}

ALLOWED: dict[tuple[str, str], int] = {
    ("investment:board", "GET"): 200,
    ("investment:export", "GET"): 200,
    ("investment:create", "GET"): 200,
    ("investment:deals_import", "GET"): 200,
    ("investment:deals_import", "POST"): 200,
    ("investment:deals_import_template", "GET"): 200,
    ("investment:funds_import", "GET"): 200,
    ("investment:funds_import", "POST"): 200,
    ("investment:funds_import_template", "GET"): 200,
    ("investment:create", "POST"): 400,
    ("investment:figures", "GET"): 200,
    ("investment:standards", "GET"): 200,
    ("investment:detail", "GET"): 200,
    ("investment:transition", "POST"): 400,
    ("investment:override", "POST"): 400,
    ("investment:promote", "POST"): 400,
    ("investment:funds", "POST"): 400,
    ("investment:funds_verify", "POST"): 400,
    ("investment:send", "POST"): 400,
    ("investment:send_task", "POST"): 302,
    ("api:deal_send_task", "POST"): 200,
    ("api:deal_list", "GET"): 200,
    ("api:deal_list", "POST"): 422,
    ("api:deal_detail", "GET"): 200,
    ("api:deal_detail", "PATCH"): 422,
    ("api:deal_transition", "POST"): 422,
    ("api:deal_override", "POST"): 422,
    ("api:deal_promote", "POST"): 422,
    ("api:deal_funds", "POST"): 422,
    ("api:deal_funds_verify", "POST"): 422,
    ("api:deal_board", "GET"): 200,
    ("api:deal_figures", "GET"): 422,
    ("api:entry_standard_list", "GET"): 200,
    ("api:three_batch_list", "GET"): 200,
    ("investment:chains", "GET"): 200,
    ("investment:batches", "GET"): 200,
    ("investment:batches", "POST"): 400,
    ("investment:batch", "GET"): 200,
    ("investment:batch", "POST"): 400,
}
