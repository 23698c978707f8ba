"""The statistics engine's phrase builders, for the modules above stats (bulletins).

Only re-exports: the one home of each wording rule stays in `dudao.stats.engine.phrases`
(增长/下降/持平 judged after rounding, 高于/低于 … 个百分点), which other modules may not
import directly (pyproject.toml, "stats-public-surface").
"""

from __future__ import annotations

from dudao.stats.engine.phrases import change_phrase, gap_phrase, growth_phrase

__all__ = ["change_phrase", "gap_phrase", "growth_phrase"]
