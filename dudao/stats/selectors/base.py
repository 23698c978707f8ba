"""Reads: the city cluster summary, a park's profile and the entry grid.

Every figure goes through dudao/stats/engine/. Only approved values count; the city total
is the city's own published value, never the sum of the parks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.http import Http404

from dudao.orgs.models import Organisation, OrganisationQuerySet
from dudao.parks import selectors as parks
from dudao.stats import engine
from dudao.stats.models import Indicator, IndicatorValue, StatsSettings

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.parks.models import Park

S = IndicatorValue.Status


def month_period(period: dt.date) -> engine.Period:
    """The 1–N月 span of a stored month."""
    return engine.Period(period.year, 1, period.month)


def shift_year(period: dt.date, years: int) -> dt.date:
    return period.replace(year=period.year + years)


def business_units(actor: User) -> OrganisationQuerySet:
    """Organisations whose figures the actor may read (none for the three administrators)."""
    if not actor.has_business_role:
        return Organisation.objects.none()
    return Organisation.objects.visible_to(actor)


def get_city(actor: User, code: str) -> Organisation:
    """Return a city government in the actor's scope by its organisation or region code."""
    qs = business_units(actor).filter(kind=Organisation.Kind.CITY_GOV)
    city: Organisation | None = qs.filter(Q(code=code) | Q(region_id=code)).first()
    if city is None:
        raise Http404("没有这个市，或不在您的数据范围内。")
    return city


def city_of(org: Organisation) -> Organisation | None:
    """Return the city government above (or equal to) ``org`` in the tree."""
    segments = [org.path[: i + 7] for i in range(0, len(org.path), 7)]
    return (
        Organisation.objects.filter(path__in=segments, kind=Organisation.Kind.CITY_GOV)
        .order_by("-depth")
        .first()
    )


def city_parks(city: Organisation) -> list[Park]:
    """The active parks whose 管委会 lies in the city's tree, in display order."""
    return parks.active_parks_under(city.path)


def summary_options(
    settings: StatsSettings, indicator: Indicator | None = None
) -> engine.SummaryOptions:
    """The wording options of the summary; with ``indicator``, its own phrasing (change prefix,
    change words, amount decimals, parts inside the whole) over the settings' defaults."""
    options = engine.SummaryOptions(
        rate_decimals=settings.rate_decimals,
        gap_mode=engine.GapMode(settings.gap_mode),
        drop_trailing_zero=settings.drop_trailing_zero_in_prose,
        change_prefix=settings.change_prefix,
    )
    if indicator is None:
        return options
    up, _, down = indicator.change_words.partition("/")
    return replace(
        options,
        amount_decimals=indicator.decimals,
        change_prefix=indicator.change_prefix or settings.change_prefix,
        change_up_word=up or "提高",
        change_down_word=down or "下降",
        parts_within_whole=indicator.parts_within_whole,
    )


def _published(row: Any) -> Decimal | None:
    return None if row is None or row.yoy_percent is None else engine.from_percent(row.yoy_percent)


def unit_growth(
    indicator: Indicator, current: Any, last_year: Any
) -> tuple[engine.Growth | None, str]:
    """同比 of one unit's value: its published rate wins; else value ÷ base − 1, the base being
    the published same-period base or last year's approved value. Returns (growth, note)."""
    if current is None:
        return None, "缺少本期数"
    base = current.base if current.base is not None else getattr(last_year, "value", None)
    try:
        return (
            engine.yoy(
                current.value,
                base,
                _published(current),
                require_published=indicator.price_basis == Indicator.PriceBasis.COMPARABLE,
            ),
            "",
        )
    except engine.StatsError as exc:
        return None, str(exc)


@dataclass
class SummaryRow:
    indicator: Indicator
    period: dt.date
    parks_included: int
    parks_total: int
    line: engine.SummaryLine

    @property
    def has_data(self) -> bool:
        """Whether any park has a reviewed value (else the row stays out of the paragraph)."""
        return self.parks_included > 0

    def as_dict(self) -> dict[str, Any]:
        line = self.line
        ind = self.indicator

        def pct(rate: Decimal | None) -> str | None:
            return None if rate is None else engine.format_decimal(rate * 100, 1)

        def growth(g: engine.Growth | None) -> dict[str, Any] | None:
            if g is None:
                return None
            return {
                "percent": pct(g.rate),
                "source": g.source.value,
                "source_label": g.source.label,
            }

        return {
            "indicator": ind.code,
            "name": ind.name,
            "unit": ind.display_unit,
            "period": f"{self.period:%Y-%m}",
            "period_label": line.part.period.label(),
            "parks_included": self.parks_included,
            "parks_total": self.parks_total,
            "parks_value": engine.format_amount(line.part, ind.decimals).removesuffix(
                ind.display_unit
            ),
            "city_value": None
            if line.whole is None
            else engine.format_amount(line.whole, ind.decimals).removesuffix(ind.display_unit),
            "share_percent": pct(line.share),
            "growth": growth(line.growth),
            "city_growth": growth(line.reference_growth),
            "previous_growth": growth(line.previous_growth),
            "gap_points": None if line.gap_points is None else str(line.gap_points),
            "change_points": None if line.change_points is None else str(line.change_points),
            "gap_mode": line.gap_mode.value,
            "sentence": line.sentence if self.has_data else None,
            "notes": list(line.notes),
        }


@dataclass
class CitySummary:
    city: Organisation
    period: dt.date
    parks_total: int
    rows: list[SummaryRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def sentences(self) -> list[str]:
        """The paragraph's sentences: indicators without reviewed park data are left out (they
        are named once in ``notes``)."""
        return [r.line.sentence for r in self.rows if r.has_data]

    def as_dict(self) -> dict[str, Any]:
        return {
            "city": {"code": self.city.code, "name": self.city.name},
            "period": f"{self.period:%Y-%m}",
            "parks_total": self.parks_total,
            "indicators": [r.as_dict() for r in self.rows],
            "sentences": self.sentences,
            "notes": self.notes,
        }


def _index(rows: Any) -> dict[tuple[int, int, dt.date], IndicatorValue]:
    return {(r.organisation_id, r.indicator_id, r.period): r for r in rows}


def city_summary(actor: User, city: Organisation, period: dt.date) -> CitySummary:
    """The city's cluster summary for a month: for each summary indicator, the latest month of
    that year (≤ ``period``) with an approved city value — 上半年 investment and 1–5月 revenue
    side by side, as bulletins print them."""
    if not business_units(actor).filter(pk=city.pk).exists():
        raise Http404("没有这个市，或不在您的数据范围内。")
    settings = StatsSettings.current()
    parks = city_parks(city)
    park_orgs = {p.organisation_id: p for p in parks if p.organisation_id is not None}
    indicators = list(Indicator.objects.filter(in_summary=True, is_active=True, numerator=None))
    result = CitySummary(city=city, period=period, parks_total=len(parks))
    if not indicators:
        result.notes.append("没有列入综述的指标。")
        return result
    years = (period.year, period.year - 1, period.year - 2)
    city_rows = list(
        IndicatorValue.objects.approved()
        .filter(
            organisation=city,
            indicator__in=indicators,
            period__year__in=years,
            period__lte=period,
        )
        .only("organisation_id", "indicator_id", "period", "value", "yoy_percent", "base")
        .order_by()
    )
    chosen: dict[int, dt.date] = {}
    for row in city_rows:
        if row.period.year == period.year and row.period > chosen.get(
            row.indicator_id, dt.date.min
        ):
            chosen[row.indicator_id] = row.period
    wanted: set[tuple[int, dt.date]] = set()
    for ind in indicators:
        month = chosen.get(ind.pk, period)
        chosen[ind.pk] = month
        wanted |= {(ind.pk, shift_year(month, -n)) for n in (0, 1, 2)}
    park_rows = _index(
        row
        for row in IndicatorValue.objects.approved()
        .filter(
            organisation_id__in=list(park_orgs),
            indicator_id__in={i for i, _ in wanted},
            period__in={p for _, p in wanted},
        )
        .only("organisation_id", "indicator_id", "period", "value", "yoy_percent", "base")
        .order_by()
        if (row.indicator_id, row.period) in wanted
    )
    city_index = _index(city_rows)
    for ind in indicators:
        result.rows.append(
            _summary_row(
                ind,
                month=chosen[ind.pk],
                city=city,
                park_orgs=park_orgs,
                park_rows=park_rows,
                city_index=city_index,
                options=summary_options(settings, ind),
                subject_template=settings.cluster_subject,
            )
        )
    missing = [r.indicator.name for r in result.rows if not r.has_data]
    if missing:
        result.notes.append(f"园区尚无已审核数、未写入综述的指标：{'、'.join(missing)}。")
    if not parks:
        result.notes.append(f"{city.name}下没有启用的园区。")
    return result


def _total_growth(
    ind: Indicator,
    month: dt.date,
    park_orgs: dict[int, Park],
    rows: dict[tuple[int, int, dt.date], IndicatorValue],
) -> tuple[Decimal | None, int, engine.Growth | None, str]:
    """Parks' total for a month, how many parks reported it, its 同比 (or why none)."""
    parts = []
    for org_id, park in park_orgs.items():
        cur = rows.get((org_id, ind.pk, month))
        if cur is None:
            continue
        last = rows.get((org_id, ind.pk, shift_year(month, -1)))
        base = cur.base if cur.base is not None else getattr(last, "value", None)
        parts.append((park.display_name, cur.value, base))
    if not parts:
        return None, 0, None, "园区均无已审核数"
    total = sum((v for _, v, _ in parts), Decimal(0))
    try:
        growth = engine.growth_of_total(
            parts, require_published=ind.price_basis == Indicator.PriceBasis.COMPARABLE
        )
    except engine.StatsError as exc:
        return total, len(parts), None, str(exc)
    return total, len(parts), growth, ""


def _summary_row(
    ind: Indicator,
    *,
    month: dt.date,
    city: Organisation,
    park_orgs: dict[int, Park],
    park_rows: dict[tuple[int, int, dt.date], IndicatorValue],
    city_index: dict[tuple[int, int, dt.date], IndicatorValue],
    options: engine.SummaryOptions,
    subject_template: str,
) -> SummaryRow:
    notes: list[str] = []
    span = month_period(month)
    total, included, growth, why = _total_growth(ind, month, park_orgs, park_rows)
    if why:
        notes.append(f"园区合计同比：{why}")
    if included < len(park_orgs):
        notes.append(f"共{len(park_orgs)}家园区，{included}家有已审核数，合计仅含这{included}家")
    _, _, previous, why_prev = _total_growth(ind, shift_year(month, -1), park_orgs, park_rows)
    if why_prev and growth is not None:
        notes.append(f"园区上年同期增速：{why_prev}")
    city_now = city_index.get((city.pk, ind.pk, month))
    city_last = city_index.get((city.pk, ind.pk, shift_year(month, -1)))
    reference, why_city = unit_growth(ind, city_now, city_last)
    if why_city and city_now is not None:
        notes.append(f"全市同比：{why_city}")
    subject = subject_template.replace("{n}", str(included))
    part = engine.Figure(total or Decimal(0), ind.unit, span, ind.scope, ind.name, subject)
    whole = (
        None
        if city_now is None
        else engine.Figure(city_now.value, ind.unit, span, ind.scope, ind.name, city.name)
    )
    line = engine.summary_line(
        part,
        whole=whole,
        growth=growth,
        reference_growth=reference,
        previous_growth=previous,
        reference_label=ind.reference_label,
        verb=ind.verb,
        options=options,
        notes=notes,
    )
    if total is None:
        line = replace(line, share=None, sentence="")
    return SummaryRow(ind, month, included, len(park_orgs), line)


# --- Park profile ------------------------------------------------------------------------------


visible_parks = parks.visible_parks
get_park = parks.get_park


@dataclass
class ProfileRow:
    indicator: Indicator
    value: str
    growth: str
    growth_source: str
    share: str
    rank: str
    months: list[str]
    series: list[str]
    note: str = ""


@dataclass
class ParkProfile:
    park: Park
    city: Organisation | None
    period: dt.date | None
    rows: list[ProfileRow]
    parks_in_city: int

    @property
    def period_label(self) -> str:
        return "" if self.period is None else month_period(self.period).label()

    def as_dict(self) -> dict[str, Any]:
        return {
            "park": {"id": self.park.pk, "code": self.park.code, "name": self.park.name},
            "city": None if self.city is None else self.city.name,
            "period": None if self.period is None else f"{self.period:%Y-%m}",
            "parks_in_city": self.parks_in_city,
            "indicators": [
                {
                    "indicator": r.indicator.code,
                    "name": r.indicator.name,
                    "unit": r.indicator.display_unit,
                    "value": r.value,
                    "growth": r.growth,
                    "growth_source": r.growth_source,
                    "share_of_city": r.share,
                    "rank": r.rank,
                    "series": dict(zip(r.months, r.series, strict=True)),
                    "note": r.note,
                }
                for r in self.rows
            ],
        }


def display_value(ind: Indicator, value: Decimal) -> str:
    """A stored value as the reader sees it (万元 → 亿元), half-up with the indicator's decimals."""
    if ind.is_money:
        return engine.format_yi(value, ind.decimals)
    return engine.format_decimal(value, ind.decimals)


def months_back(period: dt.date, count: int) -> dt.date:
    index = period.year * 12 + period.month - 1 - count
    return dt.date(index // 12, index % 12 + 1, 1)


def park_profile(
    actor: User, park: Park, period: dt.date | None = None, *, months: int = 36
) -> ParkProfile:
    """A park's indicators for a month (default: its latest approved month): value, 同比,
    share of the city's published total, rank among the city's parks, and the monthly series."""
    org = park.organisation
    if org is None:  # visible_parks only returns parks with a 管委会
        raise Http404("园区没有管委会，无指标数据。")
    own = IndicatorValue.objects.approved().filter(organisation=org)
    if period is None:
        period = own.order_by("-period").values_list("period", flat=True).first()
    city = city_of(org)
    peers = city_parks(city) if city else [park]
    if period is None:
        return ParkProfile(park, city, None, [], len(peers))
    indicators = list(  # the monthly figures (annual ones: annual_figures)
        Indicator.objects.filter(is_active=True, frequency=Indicator.Frequency.MONTHLY).order_by(
            "sort_order", "code"
        )
    )
    rows = _index(
        own.filter(
            Q(period__gte=months_back(period, months - 1), period__lte=period)
            | Q(period=shift_year(period, -1))
        )
        .only("organisation_id", "indicator_id", "period", "value", "yoy_percent", "base")
        .order_by()
    )
    at_period = (
        IndicatorValue.objects.approved()
        .filter(
            period=period,
            organisation_id__in=[p.organisation_id for p in peers] + ([city.pk] if city else []),
        )
        .values_list("organisation_id", "indicator_id", "value")
        .order_by()
    )
    peer_values: dict[int, dict[int, Decimal]] = defaultdict(dict)
    city_values: dict[int, Decimal] = {}
    for org_id, ind_id, value in at_period:
        if city is not None and org_id == city.pk:
            city_values[ind_id] = value
        else:
            peer_values[ind_id][org_id] = value
    span = month_period(period)
    result = []
    for ind in indicators:
        result.append(
            _profile_row(
                ind,
                org_id=org.pk,
                period=period,
                span=span,
                rows=rows,
                peer_values=peer_values,
                city_values=city_values,
                months=months,
            )
        )
    return ParkProfile(park, city, period, result, len(peers))


def _profile_row(
    ind: Indicator,
    *,
    org_id: int,
    period: dt.date,
    span: engine.Period,
    rows: dict[tuple[int, int, dt.date], IndicatorValue],
    peer_values: dict[int, dict[int, Decimal]],
    city_values: dict[int, Decimal],
    months: int,
) -> ProfileRow:
    dash = "—"
    axis = [months_back(period, n) for n in range(months - 1, -1, -1)]
    if ind.is_formula:
        num = rows.get((org_id, ind.numerator_id or 0, period))
        den = rows.get((org_id, ind.denominator_id or 0, period))
        if num is None or den is None:
            return ProfileRow(ind, dash, dash, "", dash, dash, [], [], "分子或分母指标缺少本期数")
        try:
            value = engine.formula_value(
                num.value, den.value, factor=ind.factor, divisor=ind.divisor
            )
        except engine.StatsError as exc:
            return ProfileRow(ind, dash, dash, "", dash, dash, [], [], str(exc))
        return ProfileRow(ind, display_value(ind, value), dash, "", dash, dash, [], [], "公式计算")
    current = rows.get((org_id, ind.pk, period))
    series_months = [m for m in axis if (org_id, ind.pk, m) in rows]
    series = [display_value(ind, rows[(org_id, ind.pk, m)].value) for m in series_months]
    labels = [f"{m:%Y-%m}" for m in series_months]
    if current is None:
        return ProfileRow(ind, dash, dash, "", dash, dash, labels, series, "本期无已审核数")
    growth, why = unit_growth(ind, current, rows.get((org_id, ind.pk, shift_year(period, -1))))
    share_text = dash
    city_value = city_values.get(ind.pk)
    if city_value is not None and ind.kind != Indicator.Kind.RATE:
        part = engine.Figure(current.value, ind.unit, span, ind.scope, ind.name)
        whole = engine.Figure(city_value, ind.unit, span, ind.scope, ind.name)
        try:
            share_text = engine.format_percent(
                engine.share(part, whole, within_whole=ind.parts_within_whole)
            )
        except engine.StatsError as exc:
            why = why or str(exc)
    ranks = engine.competition_rank(
        peer_values.get(ind.pk, {}),
        higher_is_better=ind.direction == Indicator.Direction.HIGHER_IS_BETTER,
    )
    rank = f"第{ranks[org_id]}位/{len(ranks)}家" if org_id in ranks else dash
    return ProfileRow(
        ind,
        display_value(ind, current.value),
        dash if growth is None else engine.growth_phrase(growth),
        "" if growth is None else growth.source.label,
        share_text,
        rank,
        labels,
        series,
        why,
    )


# --- Review queue ------------------------------------------------------------------------------

QUEUE_SORTS = {
    "period": ("period", "organisation__path"),
    "-period": ("-period", "organisation__path"),
    "unit": ("organisation__path", "-period"),
    "submitted": ("submitted_at", "organisation__path"),
    "-submitted": ("-submitted_at", "organisation__path"),
}
# The queue page's sortable columns for dudao.core.listing (one row per unit and month, so
# unit and month are the tiebreak).
QUEUE_LIST_SORTS: dict[str, tuple[str, ...]] = {
    "unit": ("organisation__path", "-period"),
    "period": ("period", "organisation__path"),
    "count": ("-count", "organisation__path", "period"),
    "submitted": ("submitted_at", "organisation__path", "period"),
}


def review_queue(actor: User, *, sort: str = "submitted") -> Any:
    """Submitted indicator values awaiting review in the actor's scope, one row per unit and
    month: {organisation id, code, name, period, count, submitted_at (latest change)}.
    Oldest first by default, so nothing waits at the bottom."""
    from django.db.models import Count, Max

    order = QUEUE_SORTS.get(sort, QUEUE_SORTS["submitted"])
    return (
        IndicatorValue.objects.visible_to(actor)
        .filter(status=S.SUBMITTED)
        .values(
            "organisation_id",
            "organisation__code",
            "organisation__name",
            "organisation__path",
            "period",
        )
        .annotate(count=Count("pk"), submitted_at=Max("updated_at"))
        .order_by(*order)
    )


def own_parks(actor: User) -> list[Park]:
    """The parks whose 管委会 is the actor's own organisation (a park committee's account)."""
    return [p for p in parks.visible_parks(actor) if p.organisation_id == actor.organisation_id]
