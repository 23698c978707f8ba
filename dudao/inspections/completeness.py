"""Which score sheets (or rank-vote ballots) are still missing before a tour is published.

The organiser is warned with this list and must give a reason to publish anyway
(`services.publish_tour(reason=…)`, audited). A sheet is expected from every judge for every
site of the judge's visiting group, except the judge's own county (回避); a ballot is expected
from every judge for every ranking group where the judge has a free choice (`ballots`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dudao.inspections import ballots, selectors
from dudao.inspections.models import RankVote, Tour


@dataclass
class Missing:
    judge: str
    items: list[str] = field(default_factory=list)


def missing_sheets(tour: Tour) -> list[Missing]:
    """Per judge, the sites not yet submitted (or the ranking groups without a ballot)."""
    if tour.method == Tour.Method.RANK_VOTE:
        return _missing_ballots(tour)
    data = selectors.progress(tour)
    result = []
    for row in data["rows"]:
        items = [
            site.title
            for site, cell in zip(data["sites"], row["cells"], strict=True)
            if cell["state"] in ("none", "draft")
        ]
        if items:
            result.append(Missing(row["judge"].display_name, items))
    return result


def _missing_ballots(tour: Tour) -> list[Missing]:
    groups = list(tour.unit_groups.all())
    units = list(tour.units.all())
    voted = set(RankVote.objects.filter(unit__tour=tour).values_list("judge_id", "unit_id"))
    result = []
    for judge in tour.judges.select_related("user"):
        items = [
            f"{b.group.name}排名投票"
            for b in ballots.ballots(groups, units, judge.county_id)
            if not b.skipped and not any((judge.pk, u.pk) in voted for u in b.units)
        ]
        if items:
            result.append(Missing(judge.display_name, items))
    return result


def missing_count(missing: list[Missing]) -> int:
    return sum(len(m.items) for m in missing)


def missing_summary(missing: list[Missing], *, limit: int = 5) -> str:
    """One Chinese sentence: how many sheets are missing and from whom (first few judges)."""
    names = "、".join(f"{m.judge}（{len(m.items)}张）" for m in missing[:limit])
    more = f"等{len(missing)}位评委" if len(missing) > limit else ""
    return f"还有{missing_count(missing)}张评分表未提交：{names}{more}。"
