"""Rankings: ties ranked 1-2-2-4, top-N lists with boundary ties, rank changes (进位/退位)
and the 十快 list. Pure Python; every ranking Dudao prints comes from here."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from dudao.core.numbers import ZERO, FigureError, dec, round_half_up

__all__ = [
    "RankChange",
    "RankMove",
    "competition_rank",
    "fastest_risers",
    "rank_change_phrase",
    "rank_changes",
    "top_n",
]

K = TypeVar("K", bound=Hashable)


def competition_rank(
    scores: Mapping[K, Decimal],
    *,
    higher_is_better: bool = True,
    decimals: int | None = None,
) -> dict[K, int]:
    """Rank with ties as 1-2-2-4; optionally compare values rounded to ``decimals``."""
    keyed = {
        k: dec(v) if decimals is None else round_half_up(v, decimals) for k, v in scores.items()
    }
    ordered = sorted(keyed.items(), key=lambda kv: kv[1], reverse=higher_is_better)
    ranks: dict[K, int] = {}
    previous: Decimal | None = None
    current_rank = 0
    for position, (key, value) in enumerate(ordered, start=1):
        if previous is None or value != previous:
            current_rank = position
            previous = value
        ranks[key] = current_rank
    return ranks


def top_n(ranks: Mapping[K, int], n: int = 10) -> list[K]:
    """Return keys ranked ≤ n in rank order (ties at the boundary are all included)."""
    if n < 1:
        raise FigureError("名额必须为正整数")
    return [k for k, r in sorted(ranks.items(), key=lambda kv: kv[1]) if r <= n]


class RankMove(StrEnum):
    """Direction of a rank change (a smaller rank number is better)."""

    UP = "进位"
    DOWN = "退位"
    SAME = "持平"


@dataclass(frozen=True, slots=True)
class RankChange:
    """A unit's rank in two rankings; ``gain`` = previous − current (positive = 进位)."""

    previous: int
    current: int

    @property
    def gain(self) -> int:
        """Return previous − current (positive means the unit moved up)."""
        return self.previous - self.current

    @property
    def move(self) -> RankMove:
        """Return 进位/退位/持平."""
        if self.gain > 0:
            return RankMove.UP
        if self.gain < 0:
            return RankMove.DOWN
        return RankMove.SAME


def rank_changes(previous: Mapping[K, int], current: Mapping[K, int]) -> dict[K, RankChange]:
    """Pair two rankings; only units ranked in both appear, in current-rank order."""
    both = sorted((k for k in current if k in previous), key=lambda k: current[k])
    return {k: RankChange(previous[k], current[k]) for k in both}


def fastest_risers(
    changes: Mapping[K, RankChange],
    n: int = 10,
    *,
    current_scores: Mapping[K, Decimal] | None = None,
    exclude: Collection[K] = (),
    min_gain: int = 1,
) -> list[K]:
    """Return the 十快 list: largest gains ≥ min_gain; ties go to higher score, then better rank."""
    if n < 1:
        raise FigureError("名额必须为正整数")
    if current_scores is not None:
        unscored = [k for k in changes if k not in current_scores]
        if unscored:
            raise FigureError(f"缺少本年综合得分，无法按得分排序：{unscored!r}")
    eligible = [k for k, ch in changes.items() if ch.gain >= min_gain and k not in exclude]

    def sort_key(k: K) -> tuple[int, Decimal, int]:
        score = ZERO if current_scores is None else dec(current_scores[k])
        return (-changes[k].gain, -score, changes[k].current)

    ordered = sorted(eligible, key=sort_key)
    result: list[K] = []
    for position, key in enumerate(ordered, start=1):
        tied_with_last = bool(result) and sort_key(key) == sort_key(result[-1])
        if position > n and not tied_with_last:
            break
        result.append(key)
    return result


def rank_change_phrase(change: RankChange, *, prefix: str = "较上年") -> str:
    """Return "较上年进位13个位次" / "较上年退位2个位次" / "位次与上年持平"."""
    if change.move is RankMove.SAME:
        return "位次与上年持平" if prefix == "较上年" else f"位次{prefix}持平"
    return f"{prefix}{change.move.value}{abs(change.gain)}个位次"
