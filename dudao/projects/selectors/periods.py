"""Reporting periods of 重大项目: the month being reported, its deadline and lock, and the
one strict reading of a ?period= (pages: the default month with a message; API: an error)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from dudao.core.lights import Light
from dudao.core.requestmemo import memo
from dudao.projects.models import (
    MonthLock,
    MonthlyReport,
    ProjectSettings,
)
from dudao.projects.rules import (
    month_end,
    previous_month,
)

if TYPE_CHECKING:
    from dudao.workdays.calendar import Deadline

S = MonthlyReport.Status
LIGHT_VALUES = tuple(Light.values)
ZERO = Decimal("0")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")


def report_deadline(year: int, month: int, settings: ProjectSettings | None = None) -> Deadline:
    """The reporting deadline of a month: N natural days (rolled past rest days) or N workdays
    after the month's last day — by default the 5th of the next month."""
    from dudao.workdays.selectors import deadline_for

    settings = settings or ProjectSettings.current()
    return deadline_for(month_end(year, month), settings.deadline_days, settings.deadline_kind)


@dataclass(frozen=True)
class MonthFreeze:
    """What a locked month keeps (one query, `month_freeze`): the light thresholds fixed by
    its first lock, and per county the time of the lock that froze which projects it counts."""

    thresholds: dict[str, str]
    city_cutoff: dt.datetime | None
    county_cutoffs: dict[int, dt.datetime]

    def settings(self) -> ProjectSettings:
        """The settings the month's figures are coloured with: a threshold changed after the
        lock recolours the months to come, never this one."""
        current = ProjectSettings.current()
        return current.with_thresholds(self.thresholds) if self.thresholds else current

    def registered(self, prefix: str = "") -> Q:
        """The projects the month's figures count: in a locked month only those registered
        before its lock (per county, the earlier of the city-wide lock and its own), so a
        project registered afterwards never changes the month's counts, plans or lights.
        `prefix` is the path to the project ("project__" from a plan or a report)."""
        if self.city_cutoff is None and not self.county_cutoffs:
            return Q()
        county, created = f"{prefix}county_id", f"{prefix}created_at__lte"
        where = Q()
        for c, at in self.county_cutoffs.items():
            cutoff = min(at, self.city_cutoff) if self.city_cutoff is not None else at
            where |= Q(**{county: c, created: cutoff})
        others = ~Q(**{f"{county}__in": list(self.county_cutoffs)}) if self.county_cutoffs else Q()
        if self.city_cutoff is not None:
            others &= Q(**{created: self.city_cutoff})
        return where | others


def month_freeze(year: int, month: int) -> MonthFreeze:
    thresholds: dict[str, str] = {}
    city: dt.datetime | None = None
    own: dict[int, dt.datetime] = {}
    for lock_county, at, kept in (
        MonthLock.objects.filter(year=year, month=month, is_active=True)
        .order_by("locked_at", "pk")
        .values_list("county_id", "locked_at", "thresholds")
    ):
        thresholds = thresholds or kept or {}
        county_id: int | None = lock_county  # empty for a city-wide lock
        if county_id is None:
            city = at if city is None else min(city, at)
        else:
            own[county_id] = min(at, own.get(county_id, at))
    return MonthFreeze(thresholds, city, own)


def month_settings(year: int, month: int) -> ProjectSettings:
    """The settings a month's figures are coloured with (see MonthFreeze.settings)."""
    return month_freeze(year, month).settings()


def registered_by_lock(year: int, month: int, prefix: str = "") -> Q:
    """The projects a month's figures count (see MonthFreeze.registered)."""
    return month_freeze(year, month).registered(prefix)


def locked_months(county_id: int, year: int) -> list[int]:
    """The months of `year` locked for this county (its own locks and the city-wide ones):
    their figures are final, so nothing they are computed from may change."""
    return sorted(
        set(
            MonthLock.objects.filter(year=year, is_active=True)
            .filter(Q(county_id=county_id) | Q(county__isnull=True))
            .values_list("month", flat=True)
        )
    )


def months_text(months: list[int]) -> str:
    """1–9月, or 1、3、5月 when they are not consecutive."""
    if len(months) > 1 and months == list(range(months[0], months[-1] + 1)):
        return f"{months[0]}–{months[-1]}月"
    return "、".join(str(m) for m in months) + "月"


def is_locked(county_id: int, year: int, month: int) -> bool:
    return (
        MonthLock.objects.filter(year=year, month=month, is_active=True)
        .filter(Q(county_id=county_id) | Q(county__isnull=True))
        .exists()
    )


def reporting_period(today: date | None = None) -> tuple[int, int]:
    """The month being reported now: last month until its deadline has passed, then this one
    (worked out once per reading request: `dudao.core.requestmemo`)."""
    day = today or timezone.localdate()
    return memo(("projects.reporting_period", day), lambda: _reporting_period(day))


def _reporting_period(today: date) -> tuple[int, int]:
    prev = previous_month(today.year, today.month)
    if today <= report_deadline(*prev).due:
        return prev
    return today.year, today.month


def last_locked_month() -> tuple[int, int] | None:
    """The latest month locked city-wide (its figures are final), or — when the city locks
    county by county — the latest month any county has locked; None before the first lock."""
    active = MonthLock.objects.filter(is_active=True).order_by("-year", "-month")
    found = active.filter(county__isnull=True).values_list("year", "month").first()
    return found or active.values_list("year", "month").first()


def analysis_period(value: str | None) -> tuple[int, int, str]:
    """An analysis page's ?period=: empty → the last locked month (final figures, not the month
    still being reported), the reporting period before any lock; otherwise as `page_period`."""
    if not (value or "").strip():
        locked = last_locked_month()
        if locked is not None:
            return locked[0], locked[1], ""
    return page_period(value)


def page_period(value: str | None) -> tuple[int, int, str]:
    """A page's ?period=: empty → the reporting period; a bad value → the reporting period and
    the message to show (never silently another month)."""
    from dudao.core.exceptions import DomainError
    from dudao.core.periods import Period, month_or_default, parse_month

    if (value or "").strip():
        try:
            asked = parse_month(value)
        except DomainError:
            pass
        else:  # the default (a deadline look-up) only when it is needed
            return asked.year, asked.last_month, ""
    period, message = month_or_default(value, Period.month(*reporting_period()))
    return period.year, period.last_month, message


def api_period(value: str | None, *, field: str = "period") -> tuple[int, int]:
    """An API's period: empty → the reporting period; a bad value → DomainError (in Chinese)."""
    from dudao.core.periods import parse_month

    if not (value or "").strip():
        return reporting_period()
    period = parse_month(value, field=field)
    return period.year, period.last_month
