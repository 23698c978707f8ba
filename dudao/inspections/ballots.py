"""The rank-vote ballot rule (济宁式排名投票), in one place for the vote page, the API, the
service and the aggregation.

A judge ranks, per ranking group, the group's units except the judge's own county (回避). A
ballot is a choice only when at least two units remain: with one unit left (a group of two
with the judge's own county in it, or a group of one) every "ballot" would hand that unit the
first place without the judge choosing. Such a group is skipped for that judge — no ballot is
asked for or counted — and the vote page and the API say so (`SKIP_NOTE`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# Fewest units a judge must be able to rank for a ballot to be a choice.
MIN_CHOICE = 2


def skip_note(left: int) -> str:
    """Why a group is skipped for a judge (shown on the vote page and returned by the API)."""
    if left == 0:
        return "本组只有本人所在县，按回避规定不参加本组投票。"
    return "本组除本人所在县外只有1个单位，没有可比较的选择，本组不需要您投票，也不计票。"


@dataclass
class Ballot:
    """What one judge may rank in one ranking group."""

    group: Any  # UnitGroup
    units: list[Any]  # TourUnit, the judge's own county left out
    skipped: bool
    note: str


def rankable(units: Iterable[Any], judge_county_id: int | None) -> list[Any]:
    """The units a judge ranks: every unit but the judge's own county."""
    return [u for u in units if judge_county_id is None or u.county_id != judge_county_id]


def ballots(
    groups: Iterable[Any], units: Iterable[Any], judge_county_id: int | None
) -> list[Ballot]:
    """Per ranking group, the units the judge ranks, or the group skipped with its note."""
    units = list(units)
    result = []
    for group in groups:
        left = rankable([u for u in units if u.unit_group_id == group.pk], judge_county_id)
        skipped = len(left) < MIN_CHOICE
        result.append(
            Ballot(group, [] if skipped else left, skipped, skip_note(len(left)) if skipped else "")
        )
    return result


def counted_votes(
    votes: Iterable[tuple[int, int, int]],
    unit_groups: dict[int, int],
    judge_counties: dict[int, int | None],
    unit_counties: dict[int, int],
) -> tuple[list[tuple[int, int, int]], dict[int, int]]:
    """The (judge, unit, rank) votes that count, and per ranking group the number of judges
    whose votes there were skipped (a group without a free choice for them)."""
    group_units: dict[int, list[int]] = {}
    for unit_id, group_id in unit_groups.items():
        group_units.setdefault(group_id, []).append(unit_id)

    def free(judge_id: int, group_id: int) -> bool:
        own = judge_counties.get(judge_id)
        left = [u for u in group_units.get(group_id, []) if own is None or unit_counties[u] != own]
        return len(left) >= MIN_CHOICE

    kept, skipped = [], set()
    for judge_id, unit_id, rank in votes:
        if unit_id not in unit_groups:
            continue
        group_id = unit_groups[unit_id]
        if free(judge_id, group_id):
            kept.append((judge_id, unit_id, rank))
        else:
            skipped.add((judge_id, group_id))
    per_group: dict[int, int] = {}
    for _judge, group_id in skipped:
        per_group[group_id] = per_group.get(group_id, 0) + 1
    return kept, per_group
