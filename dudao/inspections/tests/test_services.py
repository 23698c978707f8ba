"""Services of 观摩督导: planning, scoring from phones (bad input, conflict of interest,
idempotent retries), publication, findings into the problem ledger, rank votes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from dudao.accounts.roles import Role
from dudao.audit.models import AuditEvent
from dudao.core.exceptions import DomainError, InvalidTransition, NotAllowed, StaleObject
from dudao.inspections import ballots, selectors, services
from dudao.inspections.models import (
    Criterion,
    Finding,
    RankVote,
    Score,
    ScoreCard,
    Site,
    Tour,
    UnitResult,
)
from dudao.inspections.tests.factories import (
    DAY,
    full_scores,
    make_project,
    make_tour,
    make_tour_world,
    score_and_submit,
)
from dudao.problems.models import Problem, ProblemCategory
from dudao.testing import World, add_user

pytestmark = pytest.mark.django_db


def first_criterion(site: Site) -> Criterion:
    return (
        Criterion.objects.filter(sheet_id=site.sheet_id).order_by("sort_order").get(sort_order=10)
    )


# --- Planning --------------------------------------------------------------------------------


def test_it_creates_a_tour_with_default_groups_sheets_and_one_audit_event(world: World) -> None:
    tour = make_tour(world)
    assert list(tour.unit_groups.values_list("name", flat=True)) == ["县(市)组", "城区组"]
    assert {ts.sheet.code for ts in tour.sheets.select_related("sheet")} == {"industry", "urban"}
    assert tour.county_sheet is not None
    assert tour.county_sheet.code == "county"
    assert tour.organiser == world.supervision_office
    events = AuditEvent.objects.filter(action="inspections.tour.create", object_id=str(tour.pk))
    assert events.count() == 1


def test_only_a_supervisor_creates_tours(world: World) -> None:
    with pytest.raises(NotAllowed):
        services.create_tour(actor=world.judge, name="x", period="p", start_date=DAY, end_date=DAY)


def test_it_warns_about_selection_rules_and_refuses_a_county_not_in_the_tour(world: World) -> None:
    actor = world.city_supervisor
    tour = make_tour(world, min_investment=Decimal("100000"), required_levels="province")
    unit_group = tour.unit_groups.first()
    assert unit_group is not None
    services.add_unit(actor=actor, tour=tour, county=world.county_a, unit_group=unit_group)
    site = services.add_site(
        actor=actor,
        tour=tour,
        project=make_project(world.county_a, investment="5000"),
        visit_date=DAY,
        slot_start=dt.time(9),
        slot_end=dt.time(10),
    )
    assert site.warnings == [
        "总投资0.50亿元，低于入选门槛10.00亿元",
        "项目级别为市重点，不在入选级别之内",
    ]
    with pytest.raises(DomainError, match="不是本次观摩的参评单位"):
        services.add_site(
            actor=actor,
            tour=tour,
            project=make_project(world.county_b),
            visit_date=DAY,
            slot_start=dt.time(9),
            slot_end=dt.time(10),
        )


def test_it_refuses_overlapping_slots_of_one_group(world: World) -> None:
    tw = make_tour_world(world, open_scoring=False)
    with pytest.raises(DomainError, match="重叠"):
        services.add_site(
            actor=world.city_supervisor,
            tour=tw.tour,
            project=make_project(world.county_a),
            visit_date=DAY,
            slot_start=dt.time(9, 30),
            slot_end=dt.time(10, 0),
        )


def test_a_judge_needs_the_judge_role_and_records_their_county(world: World) -> None:
    tw = make_tour_world(world, open_scoring=False)
    assert tw.judge.county is None
    assert tw.county_a_judge is not None
    assert tw.county_a_judge.county == world.county_a
    with pytest.raises(DomainError, match="没有评委角色"):
        services.add_judge(actor=world.city_supervisor, tour=tw.tour, user=world.city_leader)


def test_a_stale_tour_edit_is_refused_with_the_current_values(world: World) -> None:
    tour = make_tour(world)
    services.update_tour(actor=world.city_supervisor, tour=tour, version=tour.version, name="新名")
    with pytest.raises(StaleObject) as caught:
        services.update_tour(
            actor=world.city_supervisor, tour=tour, version=tour.version, name="旧"
        )
    assert caught.value.details["current"]["name"] == "新名"  # the one 409 body


def test_rules_are_frozen_once_scoring_started(world: World) -> None:
    tw = make_tour_world(world)
    with pytest.raises(InvalidTransition, match="评分规则不能再修改"):
        services.update_tour(actor=world.city_supervisor, tour=tw.tour, trim_k=2)
    with pytest.raises(InvalidTransition):
        services.add_group(
            actor=world.city_supervisor,
            tour=tw.tour,
            name="二组",
            leader_name="x",
            leader_title="y",
        )


# --- Scoring ---------------------------------------------------------------------------------


def test_a_judge_saves_and_updates_scores_idempotently(world: World) -> None:
    tw = make_tour_world(world)
    c = first_criterion(tw.site_a)
    services.save_card(actor=world.judge, site=tw.site_a, scores={c.pk: "15.5"}, key="k1", seq=1)
    services.save_card(actor=world.judge, site=tw.site_a, scores={c.pk: "16"}, key="k2", seq=2)
    # The same criterion again: an update, never a second row.
    assert Score.objects.filter(card__site=tw.site_a).count() == 1
    assert Score.objects.get(card__site=tw.site_a).points == Decimal("16.0")
    events = AuditEvent.objects.filter(action="inspections.card.save").count()
    # A retry of k2 (the network lost the answer) changes nothing and records nothing.
    services.save_card(actor=world.judge, site=tw.site_a, scores={c.pk: "16"}, key="k2", seq=2)
    # A late retry of k1 arrives after k2: ignored, 16 stands.
    services.save_card(actor=world.judge, site=tw.site_a, scores={c.pk: "15.5"}, key="k1", seq=1)
    assert Score.objects.get(card__site=tw.site_a).points == Decimal("16.0")
    assert AuditEvent.objects.filter(action="inspections.card.save").count() == events


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ("21", "“项目规模”得分21分，超过满分20.0分。"),
        ("7.3", "“项目规模”得分必须是0.5分的整数倍（收到7.3）。"),
        ("-1", "“项目规模”的得分不能为负数。"),
        ("abc", "“项目规模”的得分“abc”不是数字。"),
    ],
)
def test_it_refuses_bad_points_with_a_chinese_message_and_keeps_the_old_ones(
    world: World, points: str, message: str
) -> None:
    tw = make_tour_world(world)
    c = first_criterion(tw.site_a)
    services.save_card(actor=world.judge, site=tw.site_a, scores={c.pk: "10"})
    with pytest.raises(DomainError) as caught:
        services.save_card(actor=world.judge, site=tw.site_a, scores={c.pk: points})
    assert caught.value.message == message
    assert Score.objects.get(card__site=tw.site_a).points == Decimal("10.0")


def test_a_judge_never_scores_their_own_county(world: World) -> None:
    tw = make_tour_world(world)
    with pytest.raises(NotAllowed) as caught:
        services.save_card(
            actor=tw.county_a_judge_user, site=tw.site_a, scores=full_scores(tw.site_a)
        )
    assert caught.value.message == "按回避规定，评委不能为本人所在的甲县人民政府评分。"
    assert not ScoreCard.objects.filter(site=tw.site_a).exists()
    # The other county is fine.
    score_and_submit(tw.county_a_judge_user, tw.site_b)


def test_a_user_who_is_not_a_judge_of_the_tour_cannot_score(world: World) -> None:
    tw = make_tour_world(world)
    other_judge = add_user(world, world.city, Role.JUDGE)
    with pytest.raises(NotAllowed, match="不是本次观摩的评委"):
        services.save_card(actor=other_judge, site=tw.site_a, scores={})


def test_submit_needs_every_criterion_and_closes_the_sheet(world: World) -> None:
    tw = make_tour_world(world)
    c = first_criterion(tw.site_a)
    services.save_card(actor=world.judge, site=tw.site_a, scores={c.pk: "18"})
    with pytest.raises(DomainError, match="还有评分项未打分：科技含量与产业层次"):
        services.submit_card(actor=world.judge, site=tw.site_a)
    services.save_card(actor=world.judge, site=tw.site_a, scores=full_scores(tw.site_a, "9"))
    card = services.submit_card(actor=world.judge, site=tw.site_a)
    assert card.status == ScoreCard.Status.SUBMITTED
    assert services.submit_card(actor=world.judge, site=tw.site_a).pk == card.pk  # retry: fine
    with pytest.raises(InvalidTransition, match="评分表已关闭"):
        services.save_card(actor=world.judge, site=tw.site_a, scores={c.pk: "1"}, key="new")


def test_low_scores_propose_draft_findings_for_the_organiser(world: World) -> None:
    tw = make_tour_world(world)
    scores = full_scores(tw.site_a)
    low = first_criterion(tw.site_a)
    scores[low.pk] = "11.5"  # below 60% of 20
    services.save_card(actor=world.judge, site=tw.site_a, scores=scores, comment="进度滞后")
    services.submit_card(actor=world.judge, site=tw.site_a)
    draft = Finding.objects.get(tour=tw.tour)
    assert draft.status == Finding.Status.DRAFT
    assert draft.proposed
    assert draft.criterion == low
    assert draft.county == world.county_a
    assert not Problem.objects.filter(source_ref=f"inspections.finding:{draft.pk}").exists()
    category = ProblemCategory.objects.get(code="progress")
    deadline = timezone.localdate() + dt.timedelta(days=20)
    confirmed = services.confirm_finding(
        actor=world.city_supervisor, finding=draft, category=category, deadline=deadline
    )
    problem = confirmed.problem
    assert problem is not None
    assert (problem.source, problem.responsible_org, problem.deadline) == (
        "inspection",
        world.county_a,
        deadline,
    )
    assert problem.source_ref == f"inspections.finding:{draft.pk}"
    assert problem.project == tw.site_a.project
    with pytest.raises(InvalidTransition):
        services.dismiss_finding(actor=world.city_supervisor, finding=confirmed, reason="x")


def test_a_judge_records_a_finding_straight_into_the_ledger(world: World) -> None:
    tw = make_tour_world(world)
    finding = services.record_finding(
        actor=world.judge,
        site=tw.site_b,
        title="施工现场扬尘防护不到位",
        category=ProblemCategory.objects.get(code="quality"),
    )
    assert finding.status == Finding.Status.CONFIRMED
    assert finding.problem is not None
    assert finding.problem.responsible_org == world.county_b
    assert finding.problem.source == "inspection"


def test_scoring_is_refused_after_publication_and_results_are_locked(world: World) -> None:
    tw = make_tour_world(world)
    score_and_submit(world.judge, tw.site_a, "9")
    score_and_submit(world.judge, tw.site_b, "8")
    score_and_submit(tw.county_a_judge_user, tw.site_b, "10")
    actor = world.city_supervisor
    with pytest.raises(InvalidTransition, match="请先结束评分"):
        services.publish_tour(actor=actor, tour=tw.tour)
    services.transition_tour(actor=actor, tour=tw.tour, action="close")
    tour = services.publish_tour(actor=actor, tour=tw.tour)
    assert tour.status == Tour.Status.PUBLISHED
    results = {r.unit.county: r for r in UnitResult.objects.select_related("unit__county")}
    # Site A: 9 × 6 criteria = 54 (one judge); site B: (48 + 60) ÷ 2 = 54 → a tie at 1.
    assert results[world.county_a].score == Decimal("54.00")
    assert results[world.county_b].score == Decimal("54.00")
    assert results[world.county_a].rank == results[world.county_b].rank == 1
    site_b = results[world.county_b].details["sites"][0]
    assert [j["raw"] for j in site_b["judges"]] == ["48.0", "60.0"]
    with pytest.raises(InvalidTransition, match="观摩结果已发布，评分已锁定"):
        services.save_card(actor=world.judge, site=tw.site_a, scores={}, key="late")
    with pytest.raises(InvalidTransition):
        services.publish_tour(actor=actor, tour=tw.tour)


def test_only_submitted_cards_count(world: World) -> None:
    tw = make_tour_world(world)
    score_and_submit(world.judge, tw.site_a, "9")
    services.save_card(actor=world.judge, site=tw.site_b, scores=full_scores(tw.site_b, "1"))
    report = selectors.compute_results(tw.tour)
    by_county = {r.unit.county: r for r in report.units}
    assert by_county[world.county_a].display == Decimal("54.00")
    assert by_county[world.county_b].score is None


# --- Rank votes ------------------------------------------------------------------------------


def test_rank_votes_follow_the_jining_points_and_skip_the_own_county(world: World) -> None:
    tw = make_tour_world(world, method=Tour.Method.RANK_VOTE)
    services.cast_votes(actor=world.judge, tour=tw.tour, ranks={tw.unit_a.pk: 2, tw.unit_b.pk: 1})
    with pytest.raises(NotAllowed, match="回避"):
        services.cast_votes(
            actor=tw.county_a_judge_user, tour=tw.tour, ranks={tw.unit_a.pk: 1, tw.unit_b.pk: 2}
        )
    report = selectors.compute_results(tw.tour)
    by_county = {r.unit.county: r for r in report.units}
    assert by_county[world.county_b].display == Decimal("100.00")  # one first place
    assert by_county[world.county_a].display == Decimal("97.00")  # one second place
    assert by_county[world.county_b].rank == 1


def test_a_group_without_a_free_choice_is_skipped_for_that_judge(world: World) -> None:
    """Two units, one of them the judge's own county: the only possible ballot would hand the
    other unit 100 points without the judge choosing — it is refused with a note, and a ballot
    stored before this rule is not counted."""
    tw = make_tour_world(world, method=Tour.Method.RANK_VOTE)
    with pytest.raises(DomainError, match="没有可比较的选择"):
        services.cast_votes(actor=tw.county_a_judge_user, tour=tw.tour, ranks={tw.unit_b.pk: 1})
    assert not RankVote.objects.exists()
    seat = tw.county_a_judge
    assert seat is not None
    groups = ballots.ballots(tw.tour.unit_groups.all(), tw.tour.units.all(), seat.county_id)
    county_ballot = next(b for b in groups if b.group.pk == tw.unit_a.unit_group_id)
    assert county_ballot.skipped
    assert county_ballot.units == []
    assert "没有可比较的选择" in county_ballot.note
    services.cast_votes(actor=world.judge, tour=tw.tour, ranks={tw.unit_a.pk: 1, tw.unit_b.pk: 2})
    RankVote.objects.create(judge=seat, unit=tw.unit_b, rank=1)  # an old, forced ballot
    report = selectors.compute_results(tw.tour)
    by_county = {r.unit.county: r for r in report.units}
    assert by_county[world.county_a].display == Decimal("100.00")
    assert by_county[world.county_b].display == Decimal("97.00")  # not (97 + 100) ÷ 2
    assert by_county[world.county_b].details["vote_skipped"] == 1


# --- Summary ---------------------------------------------------------------------------------


def test_the_summary_counts_types_parks_and_investment(world: World) -> None:
    tw = make_tour_world(world, open_scoring=False)
    services.add_site(
        actor=world.city_supervisor,
        tour=tw.tour,
        project=make_project(world.county_b, category="urban", investment="30000"),
        visit_date=DAY + dt.timedelta(days=1),
        slot_start=dt.time(9),
        slot_end=dt.time(10),
    )
    summary = selectors.summary(tw.tour)
    assert summary.counts_by_type == [("产业", 2), ("城建", 1)]
    assert summary.investment_total == Decimal("130000.00")
    assert summary.sentence == (
        "实地查看了全市2个产业项目和1个城建项目，覆盖2个县（市、区），均不在园区内，总投资13.0亿元"
    )


def test_a_late_retry_of_an_applied_save_succeeds_even_after_scoring_closed(world: World) -> None:
    tw = make_tour_world(world, county_judge=False)
    c = first_criterion(tw.site_a)
    services.save_card(actor=world.judge, site=tw.site_a, scores={c.pk: "12"}, key="k9", seq=9)
    services.transition_tour(actor=world.city_supervisor, tour=tw.tour, action="close")
    card = services.save_card(
        actor=world.judge, site=tw.site_a, scores={c.pk: "12"}, key="k9", seq=9
    )
    assert card.last_key == "k9"
    with pytest.raises(InvalidTransition, match="组织者已结束评分"):
        services.save_card(actor=world.judge, site=tw.site_a, scores={c.pk: "13"}, key="k10")


def test_a_sheet_scored_in_a_started_tour_cannot_change_but_its_copy_can(world: World) -> None:
    tw = make_tour_world(world, county_judge=False)
    sheet = tw.site_a.sheet
    criterion = first_criterion(tw.site_a)
    with pytest.raises(InvalidTransition, match="请复制一份后修改副本"):
        services.save_criterion(
            actor=world.city_supervisor,
            sheet=sheet,
            criterion=criterion,
            name="规模",
            max_points=Decimal(25),
        )
    copy = services.copy_sheet(
        actor=world.city_supervisor,
        sheet=sheet,
        code="industry-2027",
        name="产业项目评分表（2027）",
    )
    changed = services.save_criterion(
        actor=world.city_supervisor,
        sheet=copy,
        criterion=copy.criteria.get(code=criterion.code),
        name="项目规模",
        max_points=Decimal(25),
    )
    assert changed.max_points == Decimal(25)
    assert copy.max_total == Decimal(105)
    with pytest.raises(DomainError, match="满分必须是"):
        services.save_criterion(
            actor=world.city_supervisor, sheet=copy, name="新项", max_points=Decimal("2.2")
        )


def test_a_no_op_tour_edit_writes_nothing(world: World) -> None:
    tour = make_tour(world)
    events = AuditEvent.objects.count()
    same = services.update_tour(
        actor=world.city_supervisor, tour=tour, version=tour.version, name=f" {tour.name} "
    )
    assert same.version == Tour.objects.get(pk=tour.pk).version == tour.version
    assert AuditEvent.objects.count() == events
