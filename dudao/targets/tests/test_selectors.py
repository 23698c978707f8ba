"""The month's evaluation through the engines, scope, 分类排队 with ties, weak link → task."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from dudao.supervision import services as supervision
from dudao.supervision.tests.factories import evidence
from dudao.targets import selectors, services
from dudao.targets.tests.factories import YEAR, build_sheet
from dudao.testing import World

pytestmark = pytest.mark.django_db
D = Decimal


def by_key(
    items: list[selectors.TargetProgress],
) -> dict[tuple[int, str], selectors.TargetProgress]:
    return {(p.unit_id, p.indicator_code + ("%" if p.kind == "growth" else "")): p for p in items}


def test_progress_against_hand_computed_figures(world: World) -> None:
    build_sheet(world)
    got = by_key(selectors.progress_for_units(world.city_leader, year=YEAR, month=6))
    a_id, b_id = world.county_a.pk, world.county_b.pk
    a = got[(a_id, "fai")]
    assert (a.target_display, a.actual_display) == ("100.0亿元", "45.0亿元")
    assert (a.completion_rate, a.schedule_rate, a.gap_pp) == (D("45.0"), D("50.0"), D("-5.0"))
    assert a.gap_display == "落后序时进度5.0个百分点"
    assert a.light == "green"
    assert not a.weak
    b = got[(b_id, "fai")]
    assert b.gap_pp == D("-25.0")
    assert b.light == "yellow"
    assert b.weak
    fai_growth = got[(a_id, "fai%")]
    assert (fai_growth.actual_display, fai_growth.gap_pp) == ("12.5%", D("4.5"))
    growth = got[(a_id, "profit%")]
    assert growth.kind == "growth"
    assert growth.actual_display == "12.5%"
    assert growth.gap_pp == D("4.5")
    assert growth.gap_display == "高于目标增速4.5个百分点"
    assert growth.sentence.startswith(f"{world.county_a.name}规上工业利润总额1–6月同比增长12.5%")
    energy = got[(a_id, "energy_consumption")]
    assert energy.completion_rate == D("42.0")
    assert energy.gap_pp == D("8.0")
    assert energy.gap_display == "低于序时进度8.0个百分点"
    assert energy.light == "green"
    assert "None" not in "".join(p.sentence for p in got.values())


def test_a_county_sees_only_its_own_rows(world: World) -> None:
    build_sheet(world)
    mine = selectors.progress_for_units(world.county_a_reviewer, year=YEAR, month=6)
    assert {p.unit_id for p in mine} == {world.county_a.pk, world.park_a.pk}
    assert selectors.progress_for_units(world.sysadmin, year=YEAR, month=6) == []
    narrowed = selectors.progress_for_units(
        world.city_leader, year=YEAR, month=6, unit_ids=[world.county_b.pk]
    )
    assert {p.unit_id for p in narrowed} == {world.county_b.pk}


def test_standings_rank_within_classes_with_ties(world: World) -> None:
    build_sheet(world)
    rows = {s.unit_id: s for s in selectors.standings(world.city_leader, year=YEAR, month=6)}
    a, b = rows[world.county_a.pk], rows[world.county_b.pk]
    # 甲县: (3 × 95.0 + 1 × 104.5 + 1 × 104.5 + 1 × 108.0) ÷ 6 = 100.33; 乙县: 75.00
    assert (a.class_name, a.weighted_score, a.rank_in_class) == ("一类", D("100.33"), 1)
    assert (b.weighted_score, b.rank_in_class, b.weak_links) == (D("75.00"), 2, 1)
    pa, pb, drc = rows[world.park_a.pk], rows[world.park_b.pk], rows[world.county_b_drc.pk]
    assert (pa.rank_in_class, pb.rank_in_class, drc.rank_in_class) == (1, 1, 3)
    assert a.rank_change == 0
    assert drc.rank_change == 0


def test_standings_without_change_skip_it_and_keep_everything_else(world: World) -> None:
    build_sheet(world)
    full = selectors.standings(world.city_leader, year=YEAR, month=6)
    bare = selectors.standings(world.city_leader, year=YEAR, month=6, with_change=False)
    assert [s.rank_change for s in bare] == [None] * len(bare)
    assert any(s.rank_change is not None for s in full)
    assert [replace(s, rank_change=None) for s in full] == bare


def test_a_memo_shares_the_month_and_gives_the_same_figures(
    world: World, django_assert_max_num_queries: Any
) -> None:
    build_sheet(world)
    user = world.city_leader
    memo = selectors.MonthMemo(user)
    codes = ["fai"]
    alone = selectors.progress_for_units(
        user, year=YEAR, month=6, unit_ids=[world.county_b.pk], indicator_codes=codes
    )
    shared = selectors.progress_for_units(
        user, year=YEAR, month=6, unit_ids=[world.county_b.pk], indicator_codes=codes, memo=memo
    )
    assert shared == alone
    assert {p.unit_id for p in shared} == {world.county_b.pk}
    everything = selectors.progress_for_units(user, year=YEAR, month=6, memo=memo)
    assert everything == selectors.progress_for_units(user, year=YEAR, month=6)
    with django_assert_max_num_queries(3):  # the month is not evaluated again (classes only)
        ranked = selectors.standings(user, year=YEAR, month=6, with_change=False, memo=memo)
    assert ranked == selectors.standings(user, year=YEAR, month=6, with_change=False)
    with pytest.raises(ValueError, match="another user"):
        selectors.progress_for_units(world.city_supervisor, year=YEAR, month=6, memo=memo)


def test_weak_link_becomes_a_task_and_its_progress_shows(world: World) -> None:
    ts = build_sheet(world)
    weak = selectors.weak_links(world.city_supervisor, YEAR, 6)
    row = next(r for r in weak if r.row.unit_id == world.county_b.pk).row
    link = services.create_improvement(
        actor=world.city_supervisor,
        row=row,
        year=YEAR,
        month=6,
        owner=world.county_b,
        deadline=timezone.localdate() + timedelta(days=30),
        measure="逐项目明确投资节点，实行周调度",
        gap_display="落后序时进度25.0个百分点",
    )
    task = link.task
    assert task.lead_org_id == world.county_b.pk
    assert task.status == "assigned"
    assert "落后序时进度25.0个百分点" in task.goal
    shown = {r.row.pk: r for r in selectors.sheet(world.city_supervisor, ts, YEAR, 6)}
    first = shown[row.pk].improvement
    assert first is not None
    assert first.status == "已交办"
    supervision.post_feedback(
        actor=world.county_b_reporter,
        task=task,
        progress="40",
        text="已召开调度会",
        files=[evidence()],
    )
    shown = {r.row.pk: r for r in selectors.sheet(world.city_supervisor, ts, YEAR, 6)}
    assert shown[row.pk].improvement.status == "办理中"  # type: ignore[union-attr]
    with pytest.raises(Exception, match="本月已转为整改任务"):
        services.create_improvement(
            actor=world.city_supervisor,
            row=row,
            year=YEAR,
            month=6,
            owner=world.county_b,
            deadline=timezone.localdate() + timedelta(days=30),
            measure="再来一次",
        )
