"""One set of bounds per kind of value, for the API schema, forms and imports alike.

Anything outside is refused with a Chinese message before it reaches a query or the database:
a year typed as 3026 or 9999, an id past SQLite's 64-bit integers, an amount of 1e24, a page
offset of 10^30. The window of dates is configured (DUDAO_EARLIEST_YEAR, DUDAO_LATEST_YEAR).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated

from django.conf import settings
from pydantic import Field

from dudao.core.exceptions import DomainError

# Ids: primary keys are 64-bit; SQLite refuses larger integers with an OverflowError.
MAX_ID = 2**63 - 1
# API pages: at most this many rows per page, and an offset no list will ever reach.
MAX_PAGE_SIZE = 500
MAX_OFFSET = 10**9

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PageLimit = Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)]
PageOffset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]

# The largest magnitude a value may have, per unit (a province's yearly GDP is about 6×10^8
# 万元; nothing Dudao records comes near these, and they keep every figure exact in Decimal).
MAGNITUDE: dict[str, Decimal] = {
    "元": Decimal(10) ** 13,
    "万元": Decimal(10) ** 9,
    "亿元": Decimal(10) ** 5,
    "亩": Decimal(10) ** 8,
    "公顷": Decimal(10) ** 7,
    "平方公里": Decimal(10) ** 5,
    "%": Decimal(10) ** 4,
    "个": Decimal(10) ** 9,
    "人": Decimal(10) ** 9,
}
DEFAULT_MAGNITUDE = Decimal(10) ** 12


def earliest_year() -> int:
    return int(getattr(settings, "DUDAO_EARLIEST_YEAR", 2000))


def latest_year() -> int:
    return int(getattr(settings, "DUDAO_LATEST_YEAR", 2099))


def year_ok(year: int) -> bool:
    return earliest_year() <= year <= latest_year()


def check_year(year: int, *, label: str = "年份", field: str | None = None) -> int:
    """Refuse a year outside the configured window."""
    if not year_ok(year):
        raise DomainError(
            f"{label}“{year}”超出允许范围（{earliest_year()}–{latest_year()}年）。", field=field
        )
    return year


def check_date(value: dt.date, *, label: str = "日期", field: str | None = None) -> dt.date:
    """Refuse a date outside the configured window (e.g. a deadline typed as 3026-12-31)."""
    if not year_ok(value.year):
        raise DomainError(
            f"{label}“{value.isoformat()}”超出允许范围（{earliest_year()}–{latest_year()}年）。",
            field=field,
        )
    return value


def check_amount(
    value: Decimal | int | str, *, unit: str, label: str = "数值", field: str | None = None
) -> Decimal:
    """A finite number whose magnitude is below the unit's bound (1e300, NaN, 1e24 refused)."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(f"{label}“{value}”不是数字。", field=field) from None
    if not number.is_finite():
        raise DomainError(f"{label}“{value}”不是有限的数字。", field=field)
    bound = MAGNITUDE.get(unit, DEFAULT_MAGNITUDE)
    if abs(number) >= bound:
        raise DomainError(
            f"{label}“{value}”超出合理范围（绝对值应小于 {bound:,.0f}{unit}）。", field=field
        )
    return number


# A year in the configured window; the bounds are read once settings are loaded (at import of the
# API modules), so the published schema states them.
Year = Annotated[int, Field(ge=earliest_year(), le=latest_year())]
