"""Periods: the one Period type (a span of months within a year) and the one strict parser of
"YYYY-MM" used by every page, API, import and command. A value that is not a month is an
error, never silently another month."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from dudao.core.bounds import earliest_year, latest_year, year_ok
from dudao.core.exceptions import DomainError
from dudao.core.numbers import FigureError

__all__ = ["SPELLINGS", "Period", "month_or_default", "parse_month", "parse_month_lenient"]

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


@dataclass(frozen=True, slots=True)
class Period:
    """A within-year span of months, e.g. 1–5月 of 2021 is ``Period(2021, 1, 5)``."""

    year: int
    first_month: int = 1
    last_month: int = 12

    def __post_init__(self) -> None:
        """Validate 1 ≤ first_month ≤ last_month ≤ 12."""
        if not 1 <= self.first_month <= self.last_month <= 12:
            raise FigureError(f"统计期不合法：{self.year}年{self.first_month}-{self.last_month}月")

    def previous_year(self) -> Period:
        """Return the same months one year earlier (the 同比 base period)."""
        return Period(self.year - 1, self.first_month, self.last_month)

    def label(self) -> str:
        """Return a Chinese label such as "2021年1-5月", "2021年上半年" or "2021年"."""
        if (self.first_month, self.last_month) == (1, 12):
            return f"{self.year}年"
        if (self.first_month, self.last_month) == (1, 6):
            return f"{self.year}年上半年"
        if self.first_month == self.last_month:
            return f"{self.year}年{self.last_month}月"
        return f"{self.year}年{self.first_month}-{self.last_month}月"

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        """A single month, e.g. ``Period.month(2026, 7)`` is 2026年7月."""
        return cls(year, month, month)

    @classmethod
    def of(cls, day: dt.date) -> Period:
        """The month a date falls in."""
        return cls(day.year, day.month, day.month)

    @property
    def first_day(self) -> dt.date:
        """The first day of the span's first month."""
        return dt.date(self.year, self.first_month, 1)

    @property
    def key(self) -> str:
        """ "YYYY-MM" of the last month: what ``parse_month`` reads back."""
        return f"{self.year:04d}-{self.last_month:02d}"

    def previous_month(self) -> Period:
        """The month before the span's last month (December of last year after January)."""
        if self.last_month == 1:
            return Period.month(self.year - 1, 12)
        return Period.month(self.year, self.last_month - 1)

    def next_month(self) -> Period:
        """The month after the span's last month."""
        if self.last_month == 12:
            return Period.month(self.year + 1, 1)
        return Period.month(self.year, self.last_month + 1)


def parse_month(text: str | None, *, field: str = "period") -> Period:
    """Read "YYYY-MM" (or "YYYY-M") as a single month; anything else raises DomainError."""
    raw = (text or "").strip()
    match = _MONTH.match(raw)
    if match is None:
        raise DomainError(f"统计期“{raw}”格式不正确，应为 YYYY-MM（如 2026-06）。", field=field)
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise DomainError(f"统计期“{raw}”的月份应为 1–12。", field=field)
    if not year_ok(year):
        raise DomainError(
            f"统计期“{raw}”的年份应在 {earliest_year()}–{latest_year()} 之间。", field=field
        )
    return Period.month(year, month)


def month_or_default(text: str | None, default: Period) -> tuple[Period, str]:
    """For a page's ?period=: empty → the default; a bad value → the default and the message
    to show, so the reader knows the month shown is not the one asked for."""
    if not (text or "").strip():
        return default, ""
    try:
        return parse_month(text), ""
    except DomainError as exc:
        return default, f"{exc.message}已显示{default.label()}。"


_LENIENT = (
    re.compile(r"^(?P<y>\d{4})\s*[-/.]\s*(?P<m>\d{1,2})$"),  # 2026-6, 2026/06, 2026.6
    re.compile(r"^(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月?$"),  # 2026年6月
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})$"),  # 202606
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[ T]00:00(?::00)?)?$"),  # 2026-06-01
    re.compile(r"^(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})(?: 0?0:00(?::00)?)?$"),  # 2026/6/1
)
_MONTH_NAMES = {
    name: n
    for n, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
# "Jun-26" / "Jun-2026" (what Excel writes when a CSV with 2026-06 is saved again) and "2026-Jun".
_NAMED = re.compile(r"^(?P<a>[A-Za-z]{3})[A-Za-z]*[-/ ](?P<b>\d{2}|\d{4})$")

SPELLINGS = (
    "2026-06、2026-6、2026/6、2026/06、2026年6月、202606、Jun-26、2026-06-01 或 Excel 日期单元格"
)


def parse_month_lenient(value: object, *, field: str = "period") -> Period:
    """Read a month as statisticians type it and as Excel stores it.

    Accepts a date or datetime (an Excel date cell: the month it falls in) and the spellings
    in ``SPELLINGS``; every one means exactly one month. A day other than the first is
    refused in text ("2026-06-15" is a date, not a month) but taken from a date cell, where
    Excel put the day itself. Anything else raises DomainError naming the value as typed.
    """
    if isinstance(value, dt.datetime):
        return _checked(value.year, value.month, str(value.date()), field)
    if isinstance(value, dt.date):
        return _checked(value.year, value.month, value.isoformat(), field)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        # A number cell such as 202606 (Excel reads the typed digits as a number).
        raw = f"{value:f}".rstrip("0").rstrip(".") if not isinstance(value, int) else str(value)
    else:
        raw = "" if value is None else str(value).strip()
    for pattern in _LENIENT:
        match = pattern.match(raw)
        if match is None:
            continue
        parts = match.groupdict()
        if parts.get("d") is not None and int(parts["d"]) != 1:
            raise DomainError(
                f"统计期“{raw}”是一个日期而不是月份，请填写月份（如 2026-06）。", field=field
            )
        return _checked(int(parts["y"]), int(parts["m"]), raw, field)
    named = _NAMED.match(raw)
    if named is not None and named.group("a").lower() in _MONTH_NAMES:
        year = int(named.group("b"))
        year = year + 2000 if year < 100 else year
        return _checked(year, _MONTH_NAMES[named.group("a").lower()], raw, field)
    raise DomainError(f"统计期“{raw}”无法识别，可写作 {SPELLINGS}。", field=field)


def _checked(year: int, month: int, raw: str, field: str) -> Period:
    if not 1 <= month <= 12:
        raise DomainError(f"统计期“{raw}”的月份应为 1–12。", field=field)
    if not year_ok(year):
        raise DomainError(
            f"统计期“{raw}”的年份应在 {earliest_year()}–{latest_year()} 之间。", field=field
        )
    return Period.month(year, month)
