"""Run in a subprocess under either release's code: the 督查室's project analysis of the demo
city for the cockpit's default month (count, plan, approved, completion rate and project lights,
in total and per county), printed as JSON. Before and after the upgrade they must be equal.
"""

from __future__ import annotations

import json
import os
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
django.setup()

from dudao.accounts.models import User  # noqa: E402
from dudao.cockpit.selectors import default_period  # noqa: E402
from dudao.projects.selectors import city_analysis  # noqa: E402


def _row(row: Any) -> dict[str, Any]:
    progress = row.progress
    return {
        "projects": row.projects,
        "plan": str(row.plan),
        "done": str(row.done),
        "rate": str(progress.rate_pct) if progress is not None else None,
        "lights": dict(sorted(row.lights.items())),
    }


def main() -> None:
    actor = User.objects.get(username="demo_supervisor")
    year, month = default_period()
    analysis = city_analysis(actor, year, month, with_ranks=False)
    figures = {"period": f"{year}-{month:02d}", "total": _row(analysis.total)}
    figures["counties"] = {row.name: _row(row) for row in analysis.counties}
    print(json.dumps(figures, ensure_ascii=False))


main()
