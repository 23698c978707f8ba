"""Reading calendar data: one query per call, handed to the pure functions in calendar.py."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q

from dudao.workdays.calendar import (
    Deadline,
    DeadlineKind,
    check_amount,
    chinese_calendar_knows,
    compute_deadline,
    parse_kind,
)
from dudao.workdays.models import CalendarOverride, HolidayYearStatus


def _year_filter(years: Iterable[int], field: str) -> Q | None:
    """One date range from the first to the last wanted year (overrides are few, so the years
    in between cost nothing; one OR per year made SQLite refuse far deadlines such as 3026 with
    "Expression tree is too large")."""
    wanted = sorted(set(years))
    if not wanted:
        return None
    return Q(**{f"{field}__gte": date(wanted[0], 1, 1), f"{field}__lte": date(wanted[-1], 12, 31)})


def load_overrides(years: Iterable[int]) -> dict[date, CalendarOverride]:
    """Return the administrators' overrides of `years`, keyed by date (one query)."""
    condition = _year_filter(years, "date")
    if condition is None:
        return {}
    return {o.date: o for o in CalendarOverride.objects.filter(condition)}


def published_years(years: Iterable[int]) -> frozenset[int]:
    """Return those of `years` whose holiday arrangement is marked published (one query)."""
    wanted = set(years)
    if not wanted:
        return frozenset()
    return frozenset(
        HolidayYearStatus.objects.filter(year__in=wanted, published=True).values_list(
            "year", flat=True
        )
    )


def deadline_for(
    start: date,
    amount: int,
    kind: DeadlineKind | str,
    *,
    roll_forward_if_holiday: bool = True,
) -> Deadline:
    """Compute a deadline with the stored overrides of every year it may reach.

    Loads the years from `start` to a generous horizon; if the result falls beyond them
    (only with an unusual run of overrides), loads more and computes again.
    """
    check_amount(amount)
    span = amount if parse_kind(kind) == DeadlineKind.CALENDAR_DAY else amount * 2
    last_year = (start + timedelta(days=span + 31)).year
    while True:
        years = range(start.year, last_year + 1)
        result = compute_deadline(
            start,
            amount,
            kind,
            load_overrides(years),
            published_years=published_years(years),
            roll_forward_if_holiday=roll_forward_if_holiday,
        )
        if result.due.year <= last_year:
            return result
        last_year = result.due.year


@dataclass(frozen=True, slots=True)
class YearCoverage:
    """What the system knows about one year's holidays (for `workdays_check`)."""

    year: int
    known_to_package: bool
    holidays: int
    workdays: int
    published: bool
    source: str
    note: str

    @property
    def overrides(self) -> int:
        return self.holidays + self.workdays

    @property
    def provisional(self) -> bool:
        """True when deadlines in this year fall back to the Monday–Friday guess."""
        return not self.known_to_package and not self.published


def year_coverage(year: int) -> YearCoverage:
    """Return the package's and the administrators' knowledge of `year`."""
    overrides = load_overrides([year]).values()
    status = HolidayYearStatus.objects.filter(year=year).first()
    return YearCoverage(
        year=year,
        known_to_package=chinese_calendar_knows(year),
        holidays=sum(1 for o in overrides if not o.is_workday),
        workdays=sum(1 for o in overrides if o.is_workday),
        published=bool(status and status.published),
        source=status.source if status else "",
        note=status.note if status else "",
    )
