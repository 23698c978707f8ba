"""Statistics engine: the single source of every figure Dudao prints.

Pure Python, no Django. Conventions (see docs/domain-research.md §6.3, §6.4, §8, §9):

* All arithmetic is ``decimal.Decimal`` through a private fixed context (28 significant
  digits), never float; floats are refused with ``StatsError``.
* Money is stored in 万元 and displayed in 亿元.
* Rates (growth, share, contribution, pull) are **unrounded Decimal fractions**:
  ``Decimal("0.132")`` means 13.2%. Only formatting multiplies by 100 and rounds.
* Percentage-point gaps (个百分点) are Decimal **points** (``Decimal("11.4")``), already
  rounded, because by default they are computed from the displayed rates (mode "displayed",
  §6.4 mode (b)), so every printed sentence adds up: 26.5% − 15.1% = 11.4个百分点.
* Rounding is ROUND_HALF_UP on the displayed value only (half away from zero, so
  −2.45 displays as −2.5 and is worded "下降2.5%"). Negative zero never appears.
* ``Figure.scope`` is the statistical caliber (统计口径, e.g. 规模以上工业); ``subject`` is the
  unit the figure describes (e.g. 18家产业集聚区 / 全市); ``indicator`` is the measure.
* Errors are ``StatsError`` (a ``ValueError``) with Chinese, user-facing messages.

The package is split by topic (figures, monthly, growth, shares, totals, phrases, summary);
every name stays importable from ``dudao.stats.engine``. Other domain apps use
``dudao.core.numbers`` / ``dudao.core.ranks`` for arithmetic; the engine itself is private to
stats. (The tour sentence of 观摩督导 belongs to inspections: ``dudao.inspections.phrases``.)
"""

from __future__ import annotations

from dudao.core.numbers import (
    dec,
    displayed_percent,
    format_decimal,
    format_percent,
    format_yi,
    from_percent,
    round_half_up,
    wan_to_yi,
    yi_to_wan,
)
from dudao.core.periods import Period
from dudao.core.ranks import (
    RankChange,
    RankMove,
    competition_rank,
    fastest_risers,
    rank_change_phrase,
    rank_changes,
    top_n,
)
from dudao.stats.engine.annual import AnnualChange, annual_change, annual_display
from dudao.stats.engine.figures import Figure, StatsError, sum_figures
from dudao.stats.engine.growth import Growth, GrowthSource, growth_of_total, yoy
from dudao.stats.engine.monthly import (
    cumulative_drops,
    cumulative_from_monthly,
    monthly_from_cumulative,
)
from dudao.stats.engine.phrases import (
    amount_phrase,
    change_phrase,
    contribution_phrase,
    figure_sentence,
    format_amount,
    gap_phrase,
    growth_phrase,
    join_clauses,
    pull_phrase,
    share_phrase,
)
from dudao.stats.engine.shares import (
    GapMode,
    contribution_rate,
    gap_reconciles,
    pp_difference,
    pull_rate,
    share,
)
from dudao.stats.engine.summary import SummaryLine, SummaryOptions, summary_line
from dudao.stats.engine.totals import (
    formula_value,
    group_counts,
    group_totals,
    park_totals_by_city,
)

__all__ = [
    "AnnualChange",
    "Figure",
    "GapMode",
    "Growth",
    "GrowthSource",
    "Period",
    "RankChange",
    "RankMove",
    "StatsError",
    "SummaryLine",
    "SummaryOptions",
    "amount_phrase",
    "annual_change",
    "annual_display",
    "change_phrase",
    "competition_rank",
    "contribution_phrase",
    "contribution_rate",
    "cumulative_drops",
    "cumulative_from_monthly",
    "dec",
    "displayed_percent",
    "fastest_risers",
    "figure_sentence",
    "format_amount",
    "format_decimal",
    "format_percent",
    "format_yi",
    "formula_value",
    "from_percent",
    "gap_phrase",
    "gap_reconciles",
    "group_counts",
    "group_totals",
    "growth_of_total",
    "growth_phrase",
    "join_clauses",
    "monthly_from_cumulative",
    "park_totals_by_city",
    "pp_difference",
    "pull_phrase",
    "pull_rate",
    "rank_change_phrase",
    "rank_changes",
    "round_half_up",
    "share",
    "share_phrase",
    "sum_figures",
    "summary_line",
    "top_n",
    "wan_to_yi",
    "yi_to_wan",
    "yoy",
]
