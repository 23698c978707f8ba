"""Reads of 省级考评. Evaluation data of every park of the province is comparison data: every
business user reads all of it (`ComparisonQuerySet.visible_to`); administrators read none.

"Our city" is the city government (市政府) above the user's organisation: its parks are the
parks whose 管委会 lies in that city's organisation tree, whatever their `city_region`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from dudao.evaluation.models import (
    Indicator,
    InputValue,
    Regime,
    Result,
    ResultSet,
    StarAward,
    Title,
    TitleKind,
)
from dudao.orgs.models import PATH_STEP, Organisation
from dudao.parks.selectors import reference_parks

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.parks.models import Park

OTHER_CITY = "—"


def list_regimes(actor: User) -> QuerySet[Regime]:
    """Every regime, newest first."""
    return cast("QuerySet[Regime]", Regime.objects.visible_to(actor).select_related("predecessor"))


def get_regime(actor: User, pk: int) -> Regime:
    """One regime, or 404 (for administrators too: they read no business data)."""
    return get_object_or_404(list_regimes(actor), pk=pk)


def get_regime_by_code(actor: User, code: str) -> Regime:
    return get_object_or_404(list_regimes(actor), code=code)


def regime_config(regime: Regime) -> dict[str, Any]:
    """Dimensions, indicators (by dimension), gates and star rules of a regime (4 queries)."""
    indicators = list(regime.indicators.select_related("dimension"))
    return {
        "dimensions": list(regime.dimensions.all()),
        "indicators": indicators,
        "weight_total": sum((i.weight for i in indicators if i.method != "events"), Decimal(0)),
        "gates": list(regime.gates.all()),
        "star_rules": list(regime.star_rules.all()),
    }


def regime_years(regime: Regime) -> list[dict[str, Any]]:
    """Per year of the regime that has inputs or results: counts and the result set."""
    sets = {s.year: s for s in ResultSet.objects.filter(regime=regime)}
    inputs = set(InputValue.objects.filter(regime=regime).values_list("year", flat=True).distinct())
    years = sorted(set(sets) | set(inputs), reverse=True)
    return [{"year": y, "result_set": sets.get(y), "has_inputs": y in inputs} for y in years]


def latest_result_set(actor: User) -> ResultSet | None:
    """The most recent year's widest result set (the province's, not a local example)."""
    qs = ResultSet.objects.visible_to(actor).select_related("regime")
    return cast("ResultSet | None", qs.order_by("-year", "-parks", "-made_at").first())


def our_city(actor: User) -> Organisation | None:
    """The city government whose tree holds the actor's organisation (None outside a city)."""
    org = getattr(actor, "organisation", None)
    if org is None:
        return None
    ids = [int(org.path[i : i + PATH_STEP - 1]) for i in range(0, len(org.path), PATH_STEP)]
    return (
        Organisation.objects.filter(pk__in=ids, kind=Organisation.Kind.CITY_GOV)
        .order_by("-depth")
        .first()
    )


@dataclass
class CityKey:
    """How a park is grouped in the comparison: our city, a prefecture, or unknown."""

    key: str
    label: str
    ours: bool


def _city_of(park: Park, ours_path: str | None, ours_label: str) -> CityKey:
    org = park.organisation
    if ours_path and org is not None and org.path.startswith(ours_path):
        return CityKey("ours", ours_label, True)
    if park.city_region_id:
        return CityKey(park.city_region_id, park.city_region.name, False)  # type: ignore[union-attr]
    return CityKey(OTHER_CITY, "未注明城市", False)


def _parks(ids: Iterable[int] | None = None) -> dict[int, Park]:
    qs = reference_parks().select_related("city_region", "organisation")
    if ids is not None:
        qs = qs.filter(pk__in=set(ids))
    return {p.pk: p for p in qs}


def titles_in_force(regime: Regime, years: Sequence[int]) -> dict[tuple[int, int], list[Title]]:
    """(year, park id) → titles, where a published list of a kind replaces the computed one."""
    order = {kind: i for i, kind in enumerate(TitleKind.values)}
    rows = sorted(Title.objects.filter(regime=regime, year__in=years), key=lambda t: order[t.kind])
    published = {(t.year, t.kind) for t in rows if t.source == Title.Source.IMPORTED}
    out: dict[tuple[int, int], list[Title]] = defaultdict(list)
    for t in rows:
        if t.source == Title.Source.COMPUTED and (t.year, t.kind) in published:
            continue
        out[(t.year, t.park_id)].append(t)
    return out


def stars_of(regime: Regime, years: Sequence[int]) -> dict[tuple[int, int], StarAward]:
    return {(s.year, s.park_id): s for s in StarAward.objects.filter(regime=regime, year__in=years)}


@dataclass
class RankingRow:
    result: Result
    park: Park
    city: CityKey
    titles: list[Title]
    star: StarAward | None


def province_ranking(actor: User, regime: Regime, year: int) -> list[RankingRow]:
    """The province ranking of a year: every park's result with city, titles and star (4
    queries whatever the number of parks)."""
    results = list(
        Result.objects.visible_to(actor)
        .filter(regime=regime, year=year)
        .select_related("park", "park__city_region", "park__organisation", "result_set")
        .defer("detail")  # the breakdown is read one result at a time, never in the ranking
        .order_by("rank", "park__sort_order", "park__code")
    )
    city = our_city(actor)
    ours_path, ours_label = (city.path, city.display_name) if city else (None, "")
    titles = titles_in_force(regime, [year])
    stars = stars_of(regime, [year])
    return [
        RankingRow(
            r,
            r.park,
            _city_of(r.park, ours_path, ours_label),
            titles.get((year, r.park_id), []),
            stars.get((year, r.park_id)),
        )
        for r in results
    ]


def get_result(actor: User, pk: int) -> Result:
    qs = Result.objects.visible_to(actor).select_related(
        "park", "park__city_region", "regime", "result_set"
    )
    return cast(Result, get_object_or_404(qs, pk=pk))


@dataclass
class CityRow:
    key: str
    label: str
    ours: bool
    parks: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    starred: int = 0
    best_rank: int | None = None
    park_names: dict[str, list[str]] = field(default_factory=dict)


def comparison(actor: User, regime: Regime, year: int, *, min_stars: int) -> list[CityRow]:
    """Per city: 十强/十快/十先进/优秀 counts, parks with ≥ min_stars stars, best rank.

    Our city first, then the cities by 十强, stars and best rank. The counts come from the
    titles in force and the imported star awards; parks without any evaluation data of the
    year are not counted.
    """
    titles = titles_in_force(regime, [year])
    stars = stars_of(regime, [year])
    ranks = dict(
        Result.objects.visible_to(actor)
        .filter(regime=regime, year=year)
        .values_list("park_id", "rank")
    )
    park_ids = set(ranks) | {p for _, p in titles} | {p for _, p in stars}
    parks = _parks(park_ids)
    city = our_city(actor)
    ours_path, ours_label = (city.path, city.display_name) if city else (None, "")
    rows: dict[str, CityRow] = {}
    if city is not None:
        rows["ours"] = CityRow("ours", ours_label, True)
    for pid in park_ids:
        park = parks[pid]
        key = _city_of(park, ours_path, ours_label)
        row = rows.setdefault(key.key, CityRow(key.key, key.label, key.ours))
        row.parks += 1
        rank = ranks.get(pid)
        if rank is not None and (row.best_rank is None or rank < row.best_rank):
            row.best_rank = rank
        for t in titles.get((year, pid), []):
            row.counts[t.kind] = row.counts.get(t.kind, 0) + 1
            row.park_names.setdefault(t.kind, []).append(park.short_name or park.name)
        star = stars.get((year, pid))
        if star is not None and star.level >= min_stars:
            row.starred += 1
            row.park_names.setdefault("stars", []).append(park.short_name or park.name)
    for row in rows.values():
        for kind in TitleKind.values:
            row.counts.setdefault(kind, 0)
            row.park_names.setdefault(kind, []).sort()
        row.park_names.setdefault("stars", []).sort()
    return sorted(
        rows.values(),
        key=lambda r: (
            not r.ours,
            -r.counts[TitleKind.STRONG],
            -r.starred,
            r.best_rank if r.best_rank is not None else 10**6,
            r.label,
        ),
    )


def chart_data(rows: Sequence[CityRow], min_stars: int) -> dict[str, Any]:
    """ECharts input for the comparison bar chart (our city flagged for highlighting)."""
    return {
        "cities": [r.label for r in rows],
        "ours": [r.ours for r in rows],
        "series": [
            {"name": "十强", "data": [r.counts[TitleKind.STRONG] for r in rows]},
            {"name": "十快", "data": [r.counts[TitleKind.FAST] for r in rows]},
            {"name": f"{min_stars}星级及以上", "data": [r.starred for r in rows]},
        ],
    }


@dataclass
class ParkYears:
    park: Park
    city: CityKey
    years: dict[int, dict[str, Any]]


def parks_over_years(
    actor: User, regime: Regime, years: Sequence[int], *, city_key: str = ""
) -> list[ParkYears]:
    """Every park of the province with its rank, score, titles and star per year (5 queries)."""
    results = (
        Result.objects.visible_to(actor)
        .filter(regime=regime, year__in=years)
        .values_list("park_id", "year", "rank", "score", "pk")
    )
    per_park: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    for park_id, year, rank, score, pk in results:
        per_park[park_id][year] = {"rank": rank, "score": score, "pk": pk}
    titles = titles_in_force(regime, years)
    stars = stars_of(regime, years)
    for (year, park_id), ts in titles.items():
        per_park[park_id].setdefault(year, {})["titles"] = ts
    for (year, park_id), star in stars.items():
        per_park[park_id].setdefault(year, {})["star"] = star
    parks = _parks(per_park)
    city = our_city(actor)
    ours_path, ours_label = (city.path, city.display_name) if city else (None, "")
    out = []
    for park_id, by_year in per_park.items():
        park = parks[park_id]
        key = _city_of(park, ours_path, ours_label)
        if city_key and key.key != city_key:
            continue
        out.append(ParkYears(park, key, by_year))
    latest = years[-1] if years else 0

    def order(p: ParkYears) -> tuple[bool, int, str]:
        rank = p.years.get(latest, {}).get("rank")
        return (not p.city.ours, rank if rank is not None else 10**6, p.park.code)

    return sorted(out, key=order)


@dataclass
class Grid:
    parks: list[Park]
    columns: list[tuple[str, str]]
    values: dict[tuple[int, str], Decimal]


def input_grid(actor: User, regime: Regime, year: int) -> Grid:
    """Parks × (indicators, gates) with the stored raw values (4 queries)."""
    columns = [(i.code, i.name) for i in Indicator.objects.visible_to(actor).filter(regime=regime)]
    columns += [(g.code, f"{g.name}（否决）") for g in regime.gates.all()]
    values = {
        (v.park_id, v.code): v.value
        for v in InputValue.objects.visible_to(actor).filter(regime=regime, year=year)
    }
    parks = list(
        reference_parks()
        .filter(is_active=True)
        .select_related("city_region")
        .order_by("city_region_id", "sort_order", "code")
    )
    return Grid(parks, columns, values)


def year_or_404(value: Any) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise Http404("年度不正确") from None
    if not 2000 <= year <= 2100:
        raise Http404("年度不正确")
    return year
