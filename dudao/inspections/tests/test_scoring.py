"""The aggregation (domain-research §3.3) and the worked examples §9.6 and §9.7."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dudao.inspections import scoring
from dudao.inspections.scoring import Card, Config, SiteInfo, UnitInfo, Vote, aggregate
from dudao.stats.engine import round_half_up

D = Decimal


def test_it_computes_the_trimmed_mean_of_section_9_6() -> None:
    trim = scoring.trimmed_mean(
        [D(v) for v in (92, 88, 95, 90, 85, 91, 89)], trim_k=1, min_judges=5
    )
    assert trim.dropped_low == (D(85),)
    assert trim.dropped_high == (D(95),)
    assert trim.kept == tuple(D(v) for v in (88, 89, 90, 91, 92))
    assert trim.mean == D("90")


def test_it_does_not_trim_below_the_minimum_number_of_judges() -> None:
    trim = scoring.trimmed_mean([D(80), D(90), D(100), D(70)], trim_k=1, min_judges=5)
    assert trim.dropped_low == ()
    assert trim.dropped_high == ()
    assert trim.mean == D(85)


def test_it_drops_two_each_side_when_configured_and_never_everything() -> None:
    values = [D(v) for v in range(60, 75)]  # 15 judges
    assert scoring.trimmed_mean(values, trim_k=2, min_judges=15).kept == tuple(values[2:13])
    assert scoring.trimmed_mean([D(1), D(2)], trim_k=1, min_judges=2).kept == (D(1), D(2))


def test_it_ranks_ties_1_2_2_4_within_groups_as_in_section_9_6() -> None:
    scores = ["95.71", "91.64", "88.14", "86.00", "84.10", "82.00", "80.50", "79.00",
              "77.93", "77.93", "75.50"]  # fmt: skip
    units = [UnitInfo(i, 1) for i in range(len(scores))]
    sites = [SiteInfo(i, i, False, 1, D(100)) for i in range(len(scores))]
    cards = [Card(1, i, D(s)) for i, s in enumerate(scores)]
    out = aggregate(Config(), units=units, sites=sites, cards=cards)
    ranks = [out.units[i].rank for i in range(len(scores))]
    assert ranks == [1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 11]


def test_it_ranks_each_unit_group_separately() -> None:
    units = [UnitInfo(1, 10), UnitInfo(2, 10), UnitInfo(3, 20)]
    sites = [SiteInfo(i, i, False, 1, D(100)) for i in (1, 2, 3)]
    cards = [Card(1, 1, D(80)), Card(1, 2, D(90)), Card(1, 3, D(70))]
    out = aggregate(Config(), units=units, sites=sites, cards=cards)
    assert [out.units[i].rank for i in (1, 2, 3)] == [2, 1, 1]


def test_it_computes_the_rank_vote_score_of_section_9_7() -> None:
    assert scoring.rank_vote_score({1: 30, 2: 8, 3: 2}) == D("99.1")
    assert scoring.vote_points(13, top=D(100), step=D(3)) == D(64)
    votes = [Vote(j, 1, 1) for j in range(30)]
    votes += [Vote(100 + j, 1, 2) for j in range(8)]
    votes += [Vote(200 + j, 1, 3) for j in range(2)]
    votes += [Vote(j, 2, 2) for j in range(30)]
    out = aggregate(
        Config(method=scoring.RANK_VOTE), units=[UnitInfo(1, 1), UnitInfo(2, 1)], votes=votes
    )
    assert out.units[1].display == D("99.10")
    assert out.units[1].vote_points == D(3964)
    assert out.units[1].rank == 1
    assert out.units[2].rank == 2


def test_it_weights_site_types_and_the_county_sheet() -> None:
    # Unit 1: industry sites 90 and 80 (mean 85), urban site 70, county session 60/80 → 75.
    sites = [
        SiteInfo(1, 1, False, 1, D(100)),
        SiteInfo(2, 1, False, 1, D(100)),
        SiteInfo(3, 1, False, 2, D(100)),
        SiteInfo(4, 1, True, None, D(80)),
    ]
    cards = [Card(7, 1, D(90)), Card(7, 2, D(80)), Card(7, 3, D(70)), Card(7, 4, D(60))]
    config = Config(type_weights={1: D("0.6"), 2: D("0.4")}, county_weight=D("0.2"))
    out = aggregate(config, units=[UnitInfo(1, 1)], sites=sites, cards=cards)
    unit = out.units[1]
    assert unit.type_means == {1: D(85), 2: D(70)}
    assert unit.project_part == D("79")  # 0.6 × 85 + 0.4 × 70
    assert unit.county_part == D(75)  # 60 of 80 → 75 of 100
    assert unit.score == D("78.2")  # 0.8 × 79 + 0.2 × 75


def test_it_normalises_each_judge_by_z_scores() -> None:
    # Judge 1 is severe (60, 70), judge 2 generous (90, 100): same opinion, different scales.
    sites = [SiteInfo(1, 1, False, 1, D(100)), SiteInfo(2, 2, False, 1, D(100))]
    cards = [Card(1, 1, D(60)), Card(1, 2, D(70)), Card(2, 1, D(90)), Card(2, 2, D(100))]
    out = aggregate(
        Config(method=scoring.ZSCORE),
        units=[UnitInfo(1, 1), UnitInfo(2, 1)],
        sites=sites,
        cards=cards,
    )
    assert out.sites[1].z_by_judge == {1: D(-1), 2: D(-1)}
    mean, sd = out.overall or (D(0), D(0))
    assert mean == D(80)
    assert round_half_up(sd, 6) == D("15.811388")  # population sd of 60, 70, 90, 100
    assert round_half_up(out.sites[1].score or D(0), 6) == D("64.188612")  # 80 − sd
    assert round_half_up(out.sites[2].score or D(0), 6) == D("95.811388")  # 80 + sd
    assert out.units[2].rank == 1


def test_it_leaves_units_without_scores_unranked() -> None:
    out = aggregate(Config(), units=[UnitInfo(1, 1)], sites=[SiteInfo(1, 1, False, 1, D(100))])
    assert out.units[1].score is None
    assert out.units[1].rank is None


def test_it_refuses_an_unknown_method() -> None:
    with pytest.raises(scoring.ScoringError):
        aggregate(Config(method="median"), units=[])
