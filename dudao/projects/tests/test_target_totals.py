"""`target_totals`: the city line of the quarter's 新开工/竣工/投产 table."""

from __future__ import annotations

from dudao.projects.selectors import TargetRow, target_totals


def test_sums_per_metric_and_keeps_no_target_as_none() -> None:
    a, b = object(), object()
    rows = [
        TargetRow(a, "start", "新开工", 3, 2),  # type: ignore[arg-type]
        TargetRow(b, "start", "新开工", None, 1),  # type: ignore[arg-type]
        TargetRow(a, "complete", "竣工", None, 0),  # type: ignore[arg-type]
        TargetRow(b, "complete", "竣工", None, 4),  # type: ignore[arg-type]
    ]
    totals = target_totals(rows)
    assert [(t.metric, t.target, t.actual) for t in totals] == [
        ("start", 3, 3),
        ("complete", None, 4),
    ]
