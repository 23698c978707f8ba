"""The speech's tour sentence (观摩督导): "实地查看了全市61个产业项目和24个城建项目，…".

Owned here (moved from the statistics engine, which re-exports it only for old callers);
numbers are rounded and formatted by `dudao.core.numbers`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from dudao.core.numbers import FigureError, dec, format_yi

__all__ = ["TOUR_COUNTY_WORD", "TOUR_PARK_WORD", "TOUR_VISIT_VERB", "tour_sites_phrase"]

TOUR_VISIT_VERB = "实地查看了"
TOUR_COUNTY_WORD = "个县（市、区）"
TOUR_PARK_WORD = "位于产业集聚区（园区）"
_UNIT_YI = "亿元"


def tour_sites_phrase(
    counts_by_type: Iterable[tuple[str, int]],
    *,
    scope: str = "全市",
    in_park: int | None = None,
    investment_wan: Decimal | None = None,
    county_count: int | None = None,
    decimals: int = 1,
) -> str:
    """Return "实地查看了全市61个产业项目和24个城建项目，…" from counts per site type.

    Types with a zero count are left out; two types are joined with 和, three or more with 、
    and a final 和. Optional clauses: how many counties, how many sites lie in parks, and the
    visited projects' total investment (万元 in, 亿元 out, half-up). Raises FigureError when no
    site was visited or a count is negative.
    """
    items = [(name, n) for name, n in counts_by_type if n != 0]
    if any(n < 0 for _, n in items) or (in_park is not None and in_park < 0):
        raise FigureError("项目个数不能为负数")
    if not items:
        raise FigureError("没有观摩项目，无法生成表述")
    parts = [f"{n}个{name}项目" for name, n in items]
    listed = parts[0] if len(parts) == 1 else "、".join(parts[:-1]) + "和" + parts[-1]
    total = sum(n for _, n in items)
    if in_park is not None and in_park > total:
        raise FigureError("位于园区的项目数不能多于项目总数")
    clauses = [f"{TOUR_VISIT_VERB}{scope}{listed}"]
    if county_count:
        clauses.append(f"覆盖{county_count}{TOUR_COUNTY_WORD}")
    if in_park is not None:
        clauses.append(f"其中{in_park}个项目{TOUR_PARK_WORD}" if in_park else "均不在园区内")
    if investment_wan is not None:
        clauses.append(f"总投资{format_yi(dec(investment_wan), decimals)}{_UNIT_YI}")
    return "，".join(c for c in clauses if c)
