"""Results: rows of (metric, value, target, pass/fail), rendered as Markdown and JSON."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Row:
    """One line of the results table. `passed` is None for information-only metrics."""

    section: str
    metric: str
    value: str
    target: str = "—"
    passed: bool | None = None
    raw: Any = None

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "FAIL", None: "info"}[self.passed]


@dataclass
class Results:
    """Everything one `python -m bench.run` found."""

    machine: dict[str, str] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    latency: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *args: Any, **kwargs: Any) -> Row:
        row = Row(*args, **kwargs)
        self.rows.append(row)
        return row

    @property
    def failed(self) -> bool:
        return bool(self.errors) or any(r.passed is False for r in self.rows)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def summary_table(results: Results) -> str:
    """The metric/value/target/result table (Markdown, also readable as plain text)."""
    lines = ["| # | Metric | Value | Target | Result |", "|---|---|---|---|---|"]
    lines += [
        f"| {r.section} | {_cell(r.metric)} | {_cell(r.value)} | {_cell(r.target)} | {r.verdict} |"
        for r in sorted(results.rows, key=lambda r: r.section)  # stable: run order within
    ]
    return "\n".join(lines)


def latency_table(results: Results) -> str:
    head = (
        "| User | Path | Clients | n | Errors | p50 ms | p95 ms | p99 ms | max ms | req/s "
        "| others' CPU % |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|"
    )
    body = [
        f"| {e['user']} | `{e['path']}` | {e['clients']} | {e['n']} | {e['errors']} | "
        f"{e['p50_ms']:.1f} | {e['p95_ms']:.1f} | {e['p99_ms']:.1f} | {e['max_ms']:.1f} | "
        f"{e['req_per_s']:.0f} | {e.get('other_cpu_pct', '')} |"
        for e in results.latency
    ]
    return "\n".join([head, *body])


def render_markdown(results: Results) -> str:
    machine = "\n".join(f"- **{k}**: {v}" for k, v in results.machine.items())
    parts = [
        "# Dudao benchmark results",
        "",
        "Produced by `python -m bench.run` (see `bench/README.md`). "
        "Overall: **" + ("FAIL" if results.failed else "PASS") + "**.",
        "",
        "## Machine",
        "",
        machine,
        "",
        "## Summary",
        "",
        summary_table(results),
        "",
    ]
    if results.latency:
        parts += ["## Latency detail", "", latency_table(results), ""]
    if results.notes:
        parts += ["## Notes", "", *(f"- {n}" for n in results.notes), ""]
    if results.errors:
        parts += ["## Errors", "", *(f"```\n{e}\n```" for e in results.errors), ""]
    return "\n".join(parts)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write(results: Results, out_dir: Path) -> tuple[Path, Path]:
    """Write latest.md and latest.json into out_dir; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    md_path, json_path = out_dir / "latest.md", out_dir / "latest.json"
    _write_atomic(md_path, render_markdown(results))
    payload = {
        "overall": "FAIL" if results.failed else "PASS",
        "machine": results.machine,
        "rows": [{**asdict(r), "result": r.verdict} for r in results.rows],
        "latency": results.latency,
        "notes": results.notes,
        "errors": results.errors,
    }
    _write_atomic(json_path, json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    return md_path, json_path
