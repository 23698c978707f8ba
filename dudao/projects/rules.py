"""The domain rules of 重大项目 that pages, selectors, services and other modules call: the
calendar of a reporting month (month end, previous month, quarter), 序时进度 (the elapsed share
of the year) and the progress figures and lights (pure functions in `figures`, re-exported
here). Pure functions and constants: no database."""

from __future__ import annotations

import calendar as pycalendar
from datetime import date

from dudao.projects.codes import check_industry_code, decode_project_code, normalise_uscc
from dudao.projects.figures import (
    RATE_DECIMALS,
    Progress,
    ProjectLight,
    combine,
    elapsed_pct,
    months_late,
    progress,
    project_light,
)

__all__ = [
    "RATE_DECIMALS",
    "Progress",
    "ProjectLight",
    "check_industry_code",
    "combine",
    "decode_project_code",
    "elapsed_pct",
    "month_end",
    "months_late",
    "normalise_uscc",
    "previous_month",
    "progress",
    "project_light",
    "quarter_bounds",
    "quarter_of",
]


def month_end(year: int, month: int) -> date:
    """The last day of a month."""
    return date(year, month, pycalendar.monthrange(year, month)[1])


def previous_month(year: int, month: int) -> tuple[int, int]:
    """The month before (December of last year after January)."""
    return (year - 1, 12) if month == 1 else (year, month - 1)


def quarter_of(month: int) -> int:
    """The quarter (1–4) a month falls in."""
    return (month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """The first day of the quarter and the first day after it."""
    first = date(year, 3 * quarter - 2, 1)
    after = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, after
