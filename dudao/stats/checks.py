"""What the statistics imports accept as people type it, and the magnitude checks as data.

* Units and indicators may be named by code, Chinese name (or 简称) or a configured alias; a
  park's own code or name is taken as its 管委会 (parks report through their committee) with a
  note; an unknown value's error lists the closest valid ones.
* Magnitude checks (per indicator, from the catalogue): a value outside the plausible range of
  its unit's level, a value about 10,000 times smaller than the unit's previous figure
  ("疑似以亿元填报"), a park above its city, the parks' sum above the city. They are *checks*,
  not errors: a dry run lists them with row and column; a commit refuses them unless the user
  confirms with a reason, which the audit event keeps.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from dudao.core import importplans
from dudao.core.bulk import fetch_rows
from dudao.core.imports import RowError
from dudao.orgs.models import Organisation
from dudao.parks import selectors as parks
from dudao.stats.models import Indicator, IndicatorValue
from dudao.stats.services import UNIT_KINDS

if TYPE_CHECKING:
    from dudao.accounts.models import User

TEN_THOUSAND = Decimal(10000)
# A value this many times 1/10,000 of the unit's previous figure reads as typed in 亿元.
YI_RATIO_LOW, YI_RATIO_HIGH = Decimal("0.2"), Decimal("5")
YI_FLAG = "疑似以亿元填报"


def closest(text: str, candidates: Iterable[str], n: int = 5) -> list[str]:
    """The valid spellings nearest to ``text`` (for an error message)."""
    pool = sorted(set(candidates))
    near = difflib.get_close_matches(text, pool, n=n, cutoff=0.3)
    if len(near) < n:
        near += [c for c in pool if text and (text in c or c in text) and c not in near]
    return near[:n]


def _hint(text: str, candidates: Iterable[str]) -> str:
    near = closest(text, candidates)
    return f"最接近的有：{'、'.join(near)}。" if near else ""


class IndicatorNames:
    """Indicator by code, name or alias."""

    def __init__(self) -> None:
        self.by_key: dict[str, Indicator] = {}
        for ind in Indicator.objects.all():
            for key in (ind.code, ind.name, *ind.alias_list()):
                self.by_key.setdefault(key, ind)

    def find(self, text: str) -> tuple[Indicator | None, str]:
        """Return (indicator, error message)."""
        ind = self.by_key.get(text) or self.by_key.get(text.lower())
        if ind is not None:
            return ind, ""
        names = [i.name for i in self.by_key.values()]
        codes = [i.code for i in self.by_key.values()]
        return None, f"指标“{text}”不存在（可填指标代码、名称或别名）。" + _hint(
            text, [*names, *codes]
        )


class UnitNames:
    """Reporting unit by organisation code, name or 简称; a park's code or name → its 管委会."""

    def __init__(self, actor: User, texts: Iterable[str]) -> None:
        wanted = {t for t in texts if t}
        self.units: dict[str, Organisation] = {}
        visible = Organisation.objects.visible_to(actor).filter(kind__in=UNIT_KINDS)
        for org in visible.filter(is_active=True).only(
            "pk", "code", "name", "short_name", "kind", "path", "depth"
        ):
            for key in (org.code, org.name, org.short_name):
                if key:
                    self.units.setdefault(key, org)
        self.park_units: dict[str, tuple[str, Organisation]] = {}
        missing = wanted - set(self.units)
        if missing:
            for park in parks.visible_parks(actor).select_related("organisation"):
                committee = park.organisation
                if committee is None or committee.kind not in UNIT_KINDS:
                    continue
                for key in (park.code, park.name, park.short_name):
                    if key:
                        self.park_units.setdefault(key, (park.code, committee))

    def find(self, text: str) -> tuple[Organisation | None, str, str]:
        """Return (organisation, error, note)."""
        org = self.units.get(text)
        if org is not None:
            return org, "", ""
        via = self.park_units.get(text)
        if via is not None:
            park_code, committee = via
            return (
                committee,
                "",
                f"“{text}”是园区（{park_code}），园区数据由其管委会填报，"
                f"已按“{committee.name}”（{committee.code}）导入。",
            )
        return (
            None,
            f"填报单位“{text}”不存在、不是填报单位或不在您的范围内"
            "（可填单位编码或名称；园区请填其管委会）。" + _hint(text, self.units),
            "",
        )


@dataclass(frozen=True)
class Candidate:
    """One value to check, with where it came from."""

    row: int
    column: str
    org: Organisation
    indicator: Indicator
    period: dt.date
    value: Decimal
    previous: Decimal | None  # last month's 1–N月 value, else last year's same month


def _level_name(kind: str) -> str:
    return {"park_committee": "园区", "county_gov": "县级"}.get(kind, "市级")


def range_flags(c: Candidate) -> list[RowError]:
    """The plausible range of the unit's level and the 10,000× test against its last figure."""
    ind, value = c.indicator, c.value
    if value <= 0:
        return []  # a loss or zero is not a magnitude slip
    low, high = ind.plausible_range(c.org.kind)
    shown = f"{value.normalize():f}{ind.unit}"
    if c.previous is not None and c.previous > 0:
        ratio = value * TEN_THOUSAND / c.previous
        if YI_RATIO_LOW <= ratio <= YI_RATIO_HIGH:
            return [
                RowError(
                    c.row,
                    c.column,
                    f"{YI_FLAG}：{c.org.name}{ind.name}为{shown}，约为上期数"
                    f"（{c.previous.normalize():f}{ind.unit}）的万分之一，金额应以{ind.unit}填报。",
                )
            ]
    if low is not None and value < low:
        yi = ind.is_money and (high is None or value * TEN_THOUSAND <= high)
        flag = f"{YI_FLAG}" if yi else "数值过小"
        advice = f"，应以{ind.unit}填报" if yi else ""
        return [
            RowError(
                c.row,
                c.column,
                f"{flag}：{c.org.name}{ind.name}为{shown}，低于{_level_name(c.org.kind)}"
                f"合理下限{low.normalize():f}{ind.unit}{advice}。",
            )
        ]
    if high is not None and value > high:
        return [
            RowError(
                c.row,
                c.column,
                f"数值过大：{c.org.name}{ind.name}为{shown}，高于{_level_name(c.org.kind)}"
                f"合理上限{high.normalize():f}{ind.unit}（是否以元填报？）。",
            )
        ]
    return []


class _Unit(NamedTuple):
    """A stored value's unit as the parks-inside-city check reads it."""

    pk: int
    kind: str
    path: str
    depth: int


def _city_of(org: _Unit | Organisation, cities: list[Organisation]) -> Organisation | None:
    inside = [c for c in cities if org.path.startswith(c.path) and c.pk != org.pk]
    return max(inside, key=lambda c: c.depth, default=None)


def _stored_values(
    keys: set[tuple[int, dt.date]],
) -> dict[tuple[int, int, dt.date], tuple[_Unit | Organisation, Decimal]]:
    """The stored values of these (indicator, month)s with their units, as plain tuples (one
    unit object per organisation, not one model instance per value)."""
    stored = fetch_rows(
        IndicatorValue.objects.filter(
            indicator_id__in={k[0] for k in keys}, period__in={k[1] for k in keys}
        )
        .order_by()
        .values_list(
            "organisation_id",
            "indicator_id",
            "period",
            "value",
            "organisation__kind",
            "organisation__path",
            "organisation__depth",
        )
    )
    # plain tuples, one unit object per organisation (not one model instance per value)
    units: dict[int, _Unit] = {}
    values: dict[tuple[int, int, dt.date], tuple[_Unit | Organisation, Decimal]] = {}
    for org_id, ind_id, period, value, kind, path, depth in stored:
        if (ind_id, period) in keys:
            unit = units.get(org_id)
            if unit is None:
                unit = units[org_id] = _Unit(org_id, kind, path, depth)
            values[(org_id, ind_id, period)] = (unit, value)
    return values


def whole_flags(candidates: list[Candidate], facts: MagnitudeFacts) -> list[RowError]:
    """Parks inside their city: a park above the city's value, the parks' sum above it
    (the file's values over the system's), for indicators whose parts lie inside the whole."""
    checked = [c for c in candidates if c.indicator.parts_within_whole]
    if not checked:
        return []
    cities = facts.cities
    file_values = {(c.org.pk, c.indicator.pk, c.period): c for c in checked}
    values = dict(facts.whole)
    for key, c in file_values.items():
        values[key] = (c.org, c.value)
    city_for: dict[int, Organisation | None] = {}
    sums: dict[tuple[int, int, dt.date], Decimal] = defaultdict(Decimal)
    for (org_id, ind_id, period), (org, value) in values.items():
        if org.kind != Organisation.Kind.PARK_COMMITTEE:
            continue
        if org_id not in city_for:
            city_for[org_id] = _city_of(org, cities)
        city = city_for[org_id]
        if city is not None:
            sums[(city.pk, ind_id, period)] += value
    flags: list[RowError] = []
    for c in checked:
        if c.org.kind == Organisation.Kind.PARK_COMMITTEE:
            if c.org.pk not in city_for:
                city_for[c.org.pk] = _city_of(c.org, cities)
            city = city_for[c.org.pk]
            whole = None if city is None else values.get((city.pk, c.indicator.pk, c.period))
            if city is not None and whole is not None and c.value > whole[1] > 0:
                flags.append(
                    RowError(
                        c.row,
                        c.column,
                        f"{c.org.name}{c.indicator.name}（{c.value.normalize():f}）大于"
                        f"{city.name}（{whole[1].normalize():f}），园区数不应超过全市数。",
                    )
                )
        elif c.org.kind == Organisation.Kind.CITY_GOV:
            total = sums.get((c.org.pk, c.indicator.pk, c.period))
            if total is not None and c.value > 0 and total > c.value:
                flags.append(
                    RowError(
                        c.row,
                        c.column,
                        f"{c.org.name}{c.indicator.name}（{c.value.normalize():f}）小于其园区合计"
                        f"（{total.normalize():f}），占比将超过100%，请核对计量单位。",
                    )
                )
    return flags


def part_flags(candidates: list[Candidate], facts: MagnitudeFacts) -> list[RowError]:
    """A part never above its whole (工业投资 ≤ 固定资产投资) for the same unit and month, the
    whole taken from the file, else from the system."""
    parts = [c for c in candidates if c.indicator.part_of_id is not None]
    if not parts:
        return []
    in_file = {(c.org.pk, c.indicator.pk, c.period): c.value for c in candidates}
    stored = facts.parts
    flags = []
    for c in parts:
        key = (c.org.pk, c.indicator.part_of_id or 0, c.period)
        whole = in_file.get(key, stored.get(key))
        if whole is not None and c.value > whole > 0:
            whole_name = c.indicator.part_of.name if c.indicator.part_of else ""
            flags.append(
                RowError(
                    c.row,
                    c.column,
                    f"{c.org.name}{c.indicator.name}（{c.value.normalize():f}）大于"
                    f"{whole_name}（{whole.normalize():f}），部分不应超过总量。",
                )
            )
    return flags


@dataclass
class MagnitudeFacts:
    """What the checks read from the database for a file's values: the cities, the stored
    values of the checked indicators' months (parks inside their city) and the stored wholes
    of the parts. `basis` is all of it as comparable values (see dudao.core.importplans)."""

    cities: list[Organisation]
    whole: dict[tuple[int, int, dt.date], tuple[_Unit | Organisation, Decimal]]
    parts: dict[tuple[int, int, dt.date], Decimal]

    @property
    def basis(self) -> tuple[object, ...]:
        cities = tuple(importplans.stored_values(c) for c in self.cities)
        return (cities, self.whole, self.parts)


def magnitude_facts(candidates: list[Candidate]) -> MagnitudeFacts:
    """The checks' reads (at most three queries)."""
    checked = [c for c in candidates if c.indicator.parts_within_whole]
    parts = [c for c in candidates if c.indicator.part_of_id is not None]
    cities: list[Organisation] = []
    whole: dict[tuple[int, int, dt.date], tuple[_Unit | Organisation, Decimal]] = {}
    if checked:
        cities = list(Organisation.objects.filter(kind=Organisation.Kind.CITY_GOV))
        whole = _stored_values({(c.indicator.pk, c.period) for c in checked})
    stored: dict[tuple[int, int, dt.date], Decimal] = {}
    if parts:
        stored = {
            (o, i, p): v
            for o, i, p, v in fetch_rows(
                IndicatorValue.objects.filter(
                    organisation_id__in={c.org.pk for c in parts},
                    indicator_id__in={c.indicator.part_of_id for c in parts},
                    period__in={c.period for c in parts},
                )
                .order_by()
                .values_list("organisation_id", "indicator_id", "period", "value")
            )
        }
    return MagnitudeFacts(cities, whole, stored)


def magnitude_flags(
    candidates: list[Candidate], facts: MagnitudeFacts | None = None
) -> list[RowError]:
    """Every magnitude check of a file's values, one flag per value at most per kind."""
    facts = facts or magnitude_facts(candidates)
    flags = [f for c in candidates for f in range_flags(c)]
    return sorted([*flags, *whole_flags(candidates, facts), *part_flags(candidates, facts)])
