"""The cluster summary line: one indicator, the parks' total against the city (§6.4, §9.1–9.2)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from dudao.stats.engine.figures import Figure, StatsError
from dudao.stats.engine.growth import Growth
from dudao.stats.engine.phrases import (
    amount_phrase,
    change_phrase,
    gap_phrase,
    growth_phrase,
    join_clauses,
    share_phrase,
)
from dudao.stats.engine.shares import GapMode, pp_difference, share

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class SummaryOptions:
    """The [P] formatting choices of §6.3–6.4, stored as data by the caller."""

    rate_decimals: int = 1
    amount_decimals: int = 1
    gap_mode: GapMode = GapMode.DISPLAYED
    drop_trailing_zero: bool = False
    change_prefix: str = "同比"
    whole_name: str = "全市"
    change_up_word: str = "提高"
    change_down_word: str = "下降"
    parts_within_whole: bool = False


@dataclass(frozen=True, slots=True)
class SummaryLine:
    """Every figure of one indicator in the cluster summary, with notes on what was missing."""

    part: Figure
    whole: Figure | None
    share: Decimal | None
    growth: Growth | None
    reference_growth: Growth | None
    previous_growth: Growth | None
    gap_points: Decimal | None
    change_points: Decimal | None
    sentence: str
    clauses: tuple[str, ...]
    notes: tuple[str, ...]
    gap_mode: GapMode


def _try(notes: list[str], label: str, compute: Callable[[], R]) -> R | None:
    """Run ``compute``; on StatsError record "label：message" in ``notes`` and return None."""
    try:
        return compute()
    except StatsError as exc:
        notes.append(f"{label}：{exc}")
        return None


def summary_line(
    part: Figure,
    *,
    whole: Figure | None,
    growth: Growth | None,
    reference_growth: Growth | None,
    previous_growth: Growth | None,
    reference_label: str,
    verb: str = "完成",
    options: SummaryOptions = SummaryOptions(),
    notes: Iterable[str] = (),
) -> SummaryLine:
    """Build "{subject}完成X亿元，占全市的Y%，同比增长Z%，高于{ref}A个百分点，同比提高B个百分点".

    Comparisons of growth rates that come out level read "增速与{ref}持平" and
    "增速与上年同期持平"; the change's prefix and words come from ``options`` (per indicator).

    ``growth`` is the parts' 同比, ``reference_growth`` the whole's (for the gap) and
    ``previous_growth`` the parts' 同比 one year earlier (for 提高/下降). A missing input
    drops its clause and adds a note; nothing is guessed.
    """
    found = list(notes)
    opts = options
    rd = opts.rate_decimals
    ratio: Decimal | None = None
    if whole is None:
        found.append(f"占比：缺少{opts.whole_name}的已审核数")
    else:
        ratio = _try(
            found, "占比", lambda: share(part, whole, within_whole=opts.parts_within_whole)
        )
    gap = change = None
    if growth is not None and reference_growth is not None:
        gap = pp_difference(growth, reference_growth, decimals=rd, mode=opts.gap_mode)
    if growth is not None and previous_growth is not None:
        change = pp_difference(growth, previous_growth, decimals=rd, mode=opts.gap_mode)
    clauses = [
        f"{part.subject}{amount_phrase(part, verb=verb, decimals=opts.amount_decimals)}",
        ""
        if ratio is None
        else share_phrase(
            ratio,
            whole_name=opts.whole_name,
            decimals=rd,
            drop_trailing_zero=opts.drop_trailing_zero,
        ),
        "" if growth is None else growth_phrase(growth, decimals=rd),
        "" if gap is None else gap_phrase(gap, reference_label, decimals=rd, flat_subject="增速"),
        ""
        if change is None
        else change_phrase(
            change,
            prefix=opts.change_prefix,
            up_word=opts.change_up_word,
            down_word=opts.change_down_word,
            decimals=rd,
        ),
    ]
    kept = tuple(c for c in clauses if c)
    return SummaryLine(
        part=part,
        whole=whole,
        share=ratio,
        growth=growth,
        reference_growth=reference_growth,
        previous_growth=previous_growth,
        gap_points=gap,
        change_points=change,
        sentence=f"{part.period.label()}，{join_clauses(*kept)}。",
        clauses=kept,
        notes=tuple(found),
        gap_mode=opts.gap_mode,
    )
