"""Reads of 观摩督导, always from the user's scope (out of scope → 404)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from dudao.accounts.roles import Role
from dudao.core.numbers import FigureError, round_half_up
from dudao.inspections import ballots, scoring
from dudao.inspections.models import (
    Criterion,
    Finding,
    Judge,
    RankVote,
    Score,
    ScoreCard,
    Site,
    Tour,
    TourUnit,
    UnitResult,
)
from dudao.inspections.phrases import tour_sites_phrase

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.projects.models import ProjectCategory

TENTH = Decimal("0.1")


def list_tours(actor: User) -> Any:
    return (
        Tour.objects.visible_to(actor)
        .select_related("organiser")
        .annotate(
            site_count=Count("sites", filter=Q(sites__kind=Site.Kind.PROJECT), distinct=True),
            unit_count=Count("units", distinct=True),
        )
        .order_by("-start_date", "-id")
    )


def get_tour(actor: User, pk: int) -> Tour:
    return get_object_or_404(
        Tour.objects.visible_to(actor).select_related("organiser", "county_sheet"), pk=pk
    )


def is_organiser(actor: User, tour: Tour) -> bool:
    return bool(
        actor.has_role(Role.SUPERVISOR)
        and tour.organiser.path.startswith(actor.organisation.scope_path)
    )


def can_see_all_units(actor: User, tour: Tour) -> bool:
    """Organisers, leaders and city-wide users see every unit; a county sees its own."""
    return (
        actor.organisation.scope_path == tour.organiser.scope_path
        or tour.organiser.path.startswith(actor.organisation.scope_path)
    )


def tour_plan(tour: Tour) -> dict[str, Any]:
    """Groups with their counties and ordered sites per day (the route and the schedule)."""
    groups = list(tour.groups.prefetch_related("judges__user"))
    units = list(tour.units.select_related("county", "unit_group", "visit_group"))
    sites = list(
        tour.sites.select_related("project", "category", "county", "unit").order_by(
            "visit_date", "slot_start", "order"
        )
    )
    by_group: dict[int | None, list[Site]] = defaultdict(list)
    unit_group = {u.pk: u.visit_group_id for u in units}
    for site in sites:
        by_group[unit_group[site.unit_id]].append(site)
    plan = []
    for group in [*groups, None]:
        days: dict[Any, list[Site]] = defaultdict(list)
        for site in by_group.get(group.pk if group else None, []):
            days[site.visit_date].append(site)
        counties = [u for u in units if u.visit_group_id == (group.pk if group else None)]
        if group is None and not days and not counties:
            continue
        plan.append({"group": group, "counties": counties, "days": sorted(days.items())})
    return {"groups": groups, "units": units, "sites": sites, "plan": plan}


# --- Judges ----------------------------------------------------------------------------------


def judge_seat(actor: User, tour: Tour) -> Judge | None:
    return Judge.objects.filter(tour=tour, user=actor).select_related("county", "group").first()


# The judge's phone list: the tour being scored now first, then those in preparation, then
# those whose scoring has ended; newest first within each.
_JUDGE_ORDER: dict[str, int] = {
    Tour.Status.SCORING: 0,
    Tour.Status.PLANNING: 1,
    Tour.Status.CLOSED: 2,
    Tour.Status.PUBLISHED: 3,
}


def judge_tours(actor: User) -> list[Judge]:
    """The tours where the actor is a judge: the one being scored first, then those in
    preparation, then closed and published ones, newest first within each."""
    seats = list(Judge.objects.filter(user=actor).select_related("tour", "group"))
    seats.sort(key=lambda seat: seat.tour.start_date, reverse=True)
    seats.sort(key=lambda seat: _JUDGE_ORDER.get(seat.tour.status, 9))
    return seats


def judge_sites(judge: Judge) -> list[Site]:
    """The sites of the judge's group in route order, with the judge's card on each."""
    return judge_sites_by_seat([judge])[judge.pk]


def judge_sites_by_seat(seats: Sequence[Judge]) -> dict[int, list[Site]]:
    """For each seat, the sites of its group in route order with that judge's card on each —
    two queries however many tours the judge sits in."""
    result: dict[int, list[Site]] = {seat.pk: [] for seat in seats}
    if not seats:
        return result
    where = Q()
    for seat in seats:
        if seat.group_id is None:
            where |= Q(tour_id=seat.tour_id)
        else:
            where |= Q(tour_id=seat.tour_id, unit__visit_group_id=seat.group_id)
    sites = list(
        Site.objects.filter(where)
        .select_related("county", "category", "unit")
        .order_by("visit_date", "slot_start", "order")
    )
    cards = {
        (c.judge_id, c.site_id): c
        for c in ScoreCard.objects.filter(judge__in=seats, site__in=sites).annotate(
            n_scores=Count("scores")
        )
    }
    for seat in seats:
        for site in sites:
            if site.tour_id != seat.tour_id:
                continue
            if seat.group_id is not None and site.unit.visit_group_id != seat.group_id:
                continue
            # One seat per user and tour (insp_judge_user), so a site is set for one seat only.
            site.my_card = cards.get((seat.pk, site.pk))  # type: ignore[attr-defined]
            site.conflict = seat.county_id == site.county_id  # type: ignore[attr-defined]
            result[seat.pk].append(site)
    return result


def site_for_judge(actor: User, site_pk: int) -> tuple[Site, Judge]:
    """A site the actor judges (a seat in its tour, in the site's visiting group), or 404.
    The seat is the judge's access: the organiser granted it (two queries)."""
    site = Site.objects.select_related("tour", "unit", "county").filter(pk=site_pk).first()
    if site is None:
        raise Http404
    judge = Judge.objects.filter(tour_id=site.tour_id, user=actor).first()
    if judge is None:
        raise Http404
    if judge.group_id is not None and site.unit.visit_group_id != judge.group_id:
        raise Http404
    return site, judge


def card_state(judge: Judge, site: Site) -> dict[str, Any]:
    """What the scoring page shows: criteria with the saved points, comment, status."""
    card = ScoreCard.objects.filter(judge=judge, site=site).first()
    saved = {s.criterion_id: s.points for s in card.scores.all()} if card else {}
    criteria = list(Criterion.objects.filter(sheet_id=site.sheet_id))
    return {
        "card": card,
        "criteria": [{"c": c, "points": saved.get(c.pk)} for c in criteria],
        "total": sum(saved.values(), Decimal(0)),
        "max_total": sum((c.max_points for c in criteria), Decimal(0)),
        "submitted": bool(card and card.status == ScoreCard.Status.SUBMITTED),
    }


# --- Progress (the organiser's live view) ----------------------------------------------------


def progress(tour: Tour) -> dict[str, Any]:
    """Who has scored what: for every judge, per site, none / n of m criteria / submitted."""
    judges = list(tour.judges.select_related("user", "group", "county"))
    sites = list(tour.sites.select_related("county", "unit").order_by("visit_date", "slot_start"))
    criteria_count = dict(
        Criterion.objects.filter(sheet_id__in={s.sheet_id for s in sites})
        .values_list("sheet_id")
        .annotate(n=Count("id"))
        .values_list("sheet_id", "n")
    )
    cards = {
        (c["judge_id"], c["site_id"]): c
        for c in ScoreCard.objects.filter(site__tour=tour)
        .values("judge_id", "site_id", "status")
        .annotate(n=Count("scores"))
    }
    rows = []
    submitted_total = 0
    expected_total = 0
    for judge in judges:
        cells = []
        done = 0
        for site in sites:
            if judge.group_id is not None and site.unit.visit_group_id != judge.group_id:
                cells.append({"state": "na"})
                continue
            if judge.county_id == site.county_id:
                cells.append({"state": "conflict"})
                continue
            expected_total += 1
            card = cards.get((judge.pk, site.pk))
            if card is None:
                cells.append({"state": "none"})
            elif card["status"] == ScoreCard.Status.SUBMITTED:
                done += 1
                cells.append({"state": "submitted"})
            else:
                cells.append(
                    {"state": "draft", "n": card["n"], "of": criteria_count.get(site.sheet_id, 0)}
                )
        submitted_total += done
        rows.append({"judge": judge, "cells": cells, "done": done})
    return {
        "sites": sites,
        "rows": rows,
        "submitted": submitted_total,
        "expected": expected_total,
    }


# --- Results ---------------------------------------------------------------------------------


@dataclass
class UnitRow:
    unit: TourUnit
    score: Decimal | None
    display: Decimal | None
    rank: int | None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Report:
    tour: Tour
    units: list[UnitRow]
    groups: list[tuple[Any, list[UnitRow]]]
    published: bool


def _config(tour: Tour) -> scoring.Config:
    return scoring.Config(
        method=tour.method,
        trim_k=tour.trim_k,
        min_judges_for_trim=tour.min_judges_for_trim,
        type_weights={ts.category_id: ts.weight for ts in tour.sheets.all()},
        county_weight=tour.county_weight,
        vote_top_points=tour.vote_top_points,
        vote_step=tour.vote_step,
    )


def _s(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _site_details(
    outcome: scoring.SiteOutcome, site: Site, judge_names: dict[int, str]
) -> dict[str, Any]:
    trim = outcome.trim
    return {
        "site": site.title,
        "kind": site.get_kind_display(),
        "category": site.category.name if site.category else "县级汇报",
        "sheet_max": _s(site.sheet_max),  # type: ignore[attr-defined]
        "judges": [
            {
                "judge": judge_names.get(j, str(j)),
                "raw": _s(outcome.raw_by_judge[j]),
                "z": _s(outcome.z_by_judge.get(j)),
                "value": _s(v),
            }
            for j, v in sorted(outcome.by_judge.items(), key=lambda kv: kv[1])
        ],
        "dropped_low": [_s(v) for v in trim.dropped_low],
        "dropped_high": [_s(v) for v in trim.dropped_high],
        "kept": len(trim.kept),
        "score": _s(trim.mean),
    }


def load_inputs(tour: Tour) -> dict[str, Any]:
    """Every input of the aggregation in a few queries (units, sites, card totals, votes)."""
    units = list(
        tour.units.select_related("county", "unit_group").order_by("unit_group__sort_order", "id")
    )
    sites = list(tour.sites.select_related("category"))
    sheet_max = dict(
        Criterion.objects.filter(sheet_id__in={s.sheet_id for s in sites})
        .values_list("sheet_id")
        .annotate(total=Sum("max_points"))
        .values_list("sheet_id", "total")
    )
    for site in sites:
        site.sheet_max = sheet_max.get(site.sheet_id, Decimal(100))  # type: ignore[attr-defined]
    totals = (
        Score.objects.filter(card__site__tour=tour, card__status=ScoreCard.Status.SUBMITTED)
        .values_list("card__judge_id", "card__site_id")
        .annotate(total=Sum("points"))
    )
    votes, skipped = ballots.counted_votes(
        RankVote.objects.filter(unit__tour=tour).values_list("judge_id", "unit_id", "rank"),
        {u.pk: u.unit_group_id for u in units},
        dict(tour.judges.values_list("pk", "county_id")),
        {u.pk: u.county_id for u in units},
    )
    return {
        "units": units,
        "sites": sites,
        "totals": list(totals),
        "votes": votes,
        "vote_skipped": skipped,
    }


def compute_results(tour: Tour) -> Report:
    """Aggregate the tour's submitted cards (or votes) now; every intermediate in `details`."""
    data = load_inputs(tour)
    units: list[TourUnit] = data["units"]
    sites: list[Site] = data["sites"]
    outcome = scoring.aggregate(
        _config(tour),
        units=[scoring.UnitInfo(u.pk, u.unit_group_id) for u in units],
        sites=[
            scoring.SiteInfo(
                s.pk,
                s.unit_id,
                s.kind == Site.Kind.COUNTY,
                s.category_id,
                s.sheet_max,  # type: ignore[attr-defined]
            )
            for s in sites
        ],
        cards=[scoring.Card(j, s, Decimal(t).quantize(TENTH)) for j, s, t in data["totals"]],
        votes=[scoring.Vote(j, u, r) for j, u, r in data["votes"]],
    )
    judge_names = {j.pk: j.display_name for j in tour.judges.select_related("user")}
    type_weights = {
        ts.category.name: str(ts.weight) for ts in tour.sheets.select_related("category")
    }
    categories = {s.category_id: s.category.name for s in sites if s.category}
    sites_by_unit: dict[int, list[Site]] = defaultdict(list)
    for site in sites:
        sites_by_unit[site.unit_id].append(site)
    rows = []
    for unit in units:
        u = outcome.units[unit.pk]
        details: dict[str, Any] = {
            "method": tour.method,
            "method_label": tour.get_method_display(),
            "score": _s(u.score),
            "display": _s(u.display),
            "rank": u.rank,
            "group": unit.unit_group.name,
        }
        if tour.method == Tour.Method.RANK_VOTE:
            details["votes"] = {str(r): n for r, n in sorted(u.votes.items())}
            details["vote_points"] = _s(u.vote_points)
            details["vote_count"] = u.vote_count
            details["vote_skipped"] = data["vote_skipped"].get(unit.unit_group_id, 0)
        else:
            details["sites"] = [
                _site_details(outcome.sites[s.pk], s, judge_names) for s in sites_by_unit[unit.pk]
            ]
            details["type_means"] = {
                categories.get(c, "其他"): _s(v) for c, v in u.type_means.items()
            }
            details["type_weights"] = type_weights
            details["project_part"] = _s(u.project_part)
            details["county_part"] = _s(u.county_part)
            details["county_weight"] = str(tour.county_weight)
            details["trim"] = {"k": tour.trim_k, "min_judges": tour.min_judges_for_trim}
            if outcome.overall is not None:
                details["overall"] = [_s(outcome.overall[0]), _s(outcome.overall[1])]
        rows.append(UnitRow(unit, u.score, u.display, u.rank, details))
    return _report(tour, rows, published=False)


def _report(tour: Tour, rows: list[UnitRow], *, published: bool) -> Report:
    grouped: dict[int, list[UnitRow]] = defaultdict(list)
    groups = {}
    for row in rows:
        grouped[row.unit.unit_group_id].append(row)
        groups[row.unit.unit_group_id] = row.unit.unit_group
    ordered = [
        (
            groups[g],
            sorted(r, key=lambda x: (x.rank is None, x.rank or 0, x.unit.county.sort_order)),
        )
        for g, r in sorted(grouped.items(), key=lambda kv: groups[kv[0]].sort_order)
    ]
    return Report(tour, rows, ordered, published)


def published_results(actor: User, tour: Tour) -> Report:
    """The locked results in the actor's scope (a county sees every unit's score and rank, and
    the full calculation of its own)."""
    results = list(
        UnitResult.objects.filter(tour=tour).select_related("unit__county", "unit__unit_group")
    )
    own = set(UnitResult.objects.visible_to(actor).filter(tour=tour).values_list("pk", flat=True))
    all_units = can_see_all_units(actor, tour)
    rows = [
        UnitRow(
            r.unit,
            r.score,
            r.score,
            r.rank,
            r.details if (all_units or r.pk in own) else {},
        )
        for r in results
    ]
    return _report(tour, rows, published=True)


def results(actor: User, tour: Tour) -> Report | None:
    """Published results for everyone; the live preview only for the organiser and leaders."""
    if tour.status == Tour.Status.PUBLISHED:
        return published_results(actor, tour)
    if is_organiser(actor, tour) or actor.has_role(Role.LEADER):
        return compute_results(tour)
    return None


# --- Findings --------------------------------------------------------------------------------


def tour_findings(actor: User, tour: Tour) -> Any:
    return (
        Finding.objects.visible_to(actor)
        .filter(tour=tour)
        .select_related("site", "county", "criterion", "category", "problem", "created_by")
        .order_by("status", "county__sort_order", "-created_at")
    )


def get_finding(actor: User, pk: int) -> Finding:
    return get_object_or_404(
        Finding.objects.visible_to(actor).select_related("tour__organiser", "site__county"), pk=pk
    )


def get_site(actor: User, pk: int) -> Site:
    return get_object_or_404(
        Site.objects.visible_to(actor).select_related("tour__organiser", "county", "project"),
        pk=pk,
    )


# --- Summary ---------------------------------------------------------------------------------


@dataclass
class Summary:
    counts_by_type: list[tuple[str, int]]
    in_park: int
    project_sites: int
    by_county: list[dict[str, Any]]
    investment_total: Decimal
    sentence: str


def summary(tour: Tour) -> Summary:
    """Sites by type, how many in parks, visited projects' investment by county, the sentence."""
    sites = list(
        tour.sites.filter(kind=Site.Kind.PROJECT)
        .select_related("category", "county")
        .order_by("county__sort_order", "county_id")
    )
    type_counts = Counter(s.category.name for s in sites if s.category)
    order = {s.category.name: s.category.sort_order for s in sites if s.category}
    counts_by_type = sorted(type_counts.items(), key=lambda kv: order[kv[0]])
    by_county: dict[int, dict[str, Any]] = {}
    for site in sites:
        row = by_county.setdefault(
            site.county_id,
            {
                "county": site.county,
                "count": 0,
                "in_park": 0,
                "investment": Decimal(0),
                "types": Counter(),
            },
        )
        row["count"] += 1
        row["in_park"] += int(site.in_park)
        row["investment"] += site.investment or Decimal(0)
        row["types"][site.category.name if site.category else ""] += 1
    total = sum((s.investment or Decimal(0) for s in sites), Decimal(0))
    in_park = sum(1 for s in sites if s.in_park)
    scope = "全市" if tour.level != Tour.Level.PROVINCE else "全省"
    try:
        sentence = tour_sites_phrase(
            counts_by_type,
            scope=scope,
            in_park=in_park,
            investment_wan=total,
            county_count=len(by_county),
        )
    except FigureError:
        sentence = ""
    return Summary(counts_by_type, in_park, len(sites), list(by_county.values()), total, sentence)


def display_score(value: Decimal | None) -> str:
    return "—" if value is None else f"{round_half_up(value, 2):f}"


def project_categories() -> QuerySet[ProjectCategory]:
    """The project categories (reference data a tour's score sheets are keyed by), read through
    the app registry: dudao.projects has no public selector for them yet."""
    model: type[ProjectCategory] = apps.get_model("projects", "ProjectCategory")
    return model.objects.all()


# --- For the bulletins ---------------------------------------------------------------------------


def latest_published_tour(actor: User, on_or_before: Any) -> Tour | None:
    """The most recent tour in the actor's scope whose results are published and which ended
    on or before the date (None when there is none)."""
    tour: Tour | None = (
        Tour.objects.visible_to(actor)
        .filter(status=Tour.Status.PUBLISHED, end_date__lte=on_or_before)
        .order_by("-end_date", "-id")
        .first()
    )
    return tour


def finding_counts(actor: User, tour: Tour) -> tuple[int, int]:
    """(findings recorded, findings sent to the problem ledger) of a tour, in scope."""
    qs = Finding.objects.visible_to(actor).filter(tour=tour)
    return qs.count(), qs.filter(problem__isnull=False).count()


def latest_published_results(actor: User) -> Report | None:
    """The results of the most recent published tour in the actor's scope (None when there is
    none): the ranking the leaders' cockpit shows."""
    tour = (
        Tour.objects.visible_to(actor)
        .filter(status=Tour.Status.PUBLISHED)
        .select_related("organiser")
        .order_by("-start_date", "-id")
        .first()
    )
    return None if tour is None else published_results(actor, tour)


def judge_agenda(
    actor: User, today: date | None = None, seats: Sequence[Judge] | None = None
) -> list[Judge]:
    """The judge's seats in tours not yet published nor cancelled, in the one order of the
    phone list and the home: scored today first, other scoring, planning (soonest), closed."""
    today = today or timezone.localdate()
    order: dict[str, int] = {
        Tour.Status.SCORING: 1,
        Tour.Status.PLANNING: 2,
        Tour.Status.CLOSED: 3,
    }
    seats = [s for s in (judge_tours(actor) if seats is None else seats) if s.tour.status in order]

    def key(seat: Judge) -> tuple[int, int, date]:
        tour = seat.tour
        active_today = tour.status == Tour.Status.SCORING and (
            tour.start_date <= today <= tour.end_date
        )
        today_first = 0 if active_today else 1
        return (today_first, order[tour.status], tour.start_date)

    return sorted(seats, key=key)
