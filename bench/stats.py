"""Latency summaries: percentiles by linear interpolation, in milliseconds."""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass


def percentile(sorted_values: list[float], pct: float) -> float:
    """Return the pct-th percentile (0–100) of already sorted values, linearly interpolated."""
    if not sorted_values:
        return math.nan
    if len(sorted_values) == 1:
        return sorted_values[0]
    rank = (len(sorted_values) - 1) * pct / 100.0
    low = math.floor(rank)
    high = math.ceil(rank)
    frac = rank - low
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * frac


@dataclass(frozen=True)
class Summary:
    """One measured series: n requests, errors, percentiles in ms and throughput."""

    n: int
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    req_per_s: float

    def as_dict(self) -> dict[str, float | int]:
        return {k: (round(v, 2) if isinstance(v, float) else v) for k, v in asdict(self).items()}

    def describe(self) -> str:
        return (
            f"p50 {self.p50_ms:.1f} · p95 {self.p95_ms:.1f} · p99 {self.p99_ms:.1f} · "
            f"max {self.max_ms:.1f} ms · {self.req_per_s:.0f} req/s"
        )


def summarise(durations_s: list[float], errors: int, wall_s: float) -> Summary:
    """Summarise per-request durations (seconds) measured over wall_s seconds."""
    ms = sorted(d * 1000.0 for d in durations_s)
    return Summary(
        n=len(ms),
        errors=errors,
        p50_ms=percentile(ms, 50),
        p95_ms=percentile(ms, 95),
        p99_ms=percentile(ms, 99),
        max_ms=ms[-1] if ms else math.nan,
        mean_ms=statistics.fmean(ms) if ms else math.nan,
        req_per_s=len(ms) / wall_s if wall_s > 0 else math.nan,
    )
