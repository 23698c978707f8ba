"""Chinese phrases: amounts, shares, growth, gaps, changes, contribution and pull, sentences."""

from __future__ import annotations

from decimal import Decimal

from dudao.core.numbers import (
    displayed_percent,
    format_decimal,
    format_percent,
    format_yi,
    round_half_up,
)
from dudao.stats.engine.figures import Figure
from dudao.stats.engine.growth import Growth, _rate
from dudao.stats.engine.shares import share

_UNIT_WAN = "万元"
_UNIT_YI = "亿元"


def format_amount(figure: Figure, decimals: int = 1) -> str:
    """Render a figure with unit; 万元 is shown as 亿元 ("904.6亿元"), other units as they are."""
    if figure.unit == _UNIT_WAN:
        return f"{format_yi(figure.value, decimals)}{_UNIT_YI}"
    return f"{format_decimal(figure.value, decimals)}{figure.unit}"


def amount_phrase(figure: Figure, *, verb: str = "完成", decimals: int = 1) -> str:
    """Return "完成固定资产投资904.6亿元" from a figure's indicator and value."""
    return f"{verb}{figure.indicator}{format_amount(figure, decimals)}"


def share_phrase(
    rate: Decimal,
    *,
    whole_name: str = "全市",
    decimals: int = 1,
    drop_trailing_zero: bool = False,
) -> str:
    """Return "占全市的47.0%" (or "占全市的47%" with drop_trailing_zero) from a fraction."""
    pct = format_percent(rate, decimals, drop_trailing_zero=drop_trailing_zero)
    return f"占{whole_name}的{pct}"


def growth_phrase(
    growth: Growth | Decimal,
    *,
    prefix: str = "同比",
    decimals: int = 1,
    up_word: str = "增长",
    down_word: str = "下降",
    flat_phrase: str = "与上年同期持平",
) -> str:
    """Return "同比增长6.4%" / "同比下降12.4%" / "与上年同期持平" (judged after rounding)."""
    shown = displayed_percent(_rate(growth), decimals)
    if shown.is_zero():
        return flat_phrase
    word = up_word if shown > 0 else down_word
    return f"{prefix}{word}{format_decimal(abs(shown), decimals)}%"


def gap_phrase(
    points: Decimal, reference_name: str, *, decimals: int = 1, flat_subject: str = ""
) -> str:
    """Return "高于全市工业11.4个百分点" / "低于…" / "与全市工业持平" from a points gap.

    ``flat_subject`` names what is level when the gap is zero: a comparison of growth rates
    passes "增速" ("增速与全市工业持平"), so the sentence never says the amounts are level.
    Nothing is added when the reference already names a rate ("与全市固定资产投资增速持平")."""
    shown = round_half_up(points, decimals)
    if shown.is_zero():
        lead = "" if flat_subject and flat_subject in reference_name else flat_subject
        return f"{lead}与{reference_name}持平"
    word = "高于" if shown > 0 else "低于"
    return f"{word}{reference_name}{format_decimal(abs(shown), decimals)}个百分点"


def change_phrase(
    points: Decimal,
    *,
    prefix: str = "同比",
    up_word: str = "提高",
    down_word: str = "下降",
    flat_phrase: str = "增速与上年同期持平",
    decimals: int = 1,
) -> str:
    """Return "同比提高16.2个百分点" / "较去年同期下降8.2个百分点" for a change of a growth rate
    in points; no change reads "增速与上年同期持平" (the rate, not the amount, is level)."""
    shown = round_half_up(points, decimals)
    if shown.is_zero():
        return flat_phrase
    word = up_word if shown > 0 else down_word
    return f"{prefix}{word}{format_decimal(abs(shown), decimals)}个百分点"


def contribution_phrase(rate: Decimal, *, target: str = "", decimals: int = 1) -> str:
    """Return "对全市固定资产投资增长的贡献率为40.6%" (or "贡献率为40.6%" without target)."""
    lead = f"对{target}增长的" if target else ""
    return f"{lead}贡献率为{format_percent(rate, decimals)}"


def pull_phrase(rate: Decimal, *, target: str = "", decimals: int = 1) -> str:
    """Return "拉动全市固定资产投资增长6.3个百分点"; negative reads "下拉…增速6.0个百分点"."""
    shown = displayed_percent(rate, decimals)
    if shown < 0:
        return f"下拉{target}增速{format_decimal(abs(shown), decimals)}个百分点"
    return f"拉动{target}增长{format_decimal(shown, decimals)}个百分点"


def join_clauses(*clauses: str) -> str:
    """Join non-empty clauses with a full-width comma."""
    return "，".join(c for c in clauses if c)


def figure_sentence(
    part: Figure,
    *,
    whole: Figure | None = None,
    growth: Growth | Decimal | None = None,
    verb: str = "完成",
    whole_name: str = "全市",
    include_subject: bool = False,
    amount_decimals: int = 1,
    rate_decimals: int = 1,
    drop_trailing_zero: bool = False,
) -> str:
    """Return "完成固定资产投资904.6亿元，占全市的47.0%，同比增长13.2%" (clauses optional)."""
    head = amount_phrase(part, verb=verb, decimals=amount_decimals)
    if include_subject:
        head = f"{part.subject}{head}"
    share_clause = ""
    if whole is not None:
        share_clause = share_phrase(
            share(part, whole),
            whole_name=whole_name,
            decimals=rate_decimals,
            drop_trailing_zero=drop_trailing_zero,
        )
    growth_clause = "" if growth is None else growth_phrase(growth, decimals=rate_decimals)
    return join_clauses(head, share_clause, growth_clause)
