"""Periodic job (huey): every morning, lights then one digest per responsible user."""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dudao.supervision import jobs


# Huey evaluates crontabs in UTC (its default, not changed in settings): 23:30 UTC is
# 07:30 Asia/Shanghai, before the working day; the jobs use the local date.
@db_periodic_task(crontab(minute="30", hour="23"), retries=1, retry_delay=300)  # type: ignore[untyped-decorator]
def supervision_daily() -> dict[str, Any]:
    """07:30 Asia/Shanghai: recompute task and problem lights, raise escalations, send digests."""
    lights, problem_lights, digests = jobs.daily()
    return {
        "lights": lights.__dict__,
        "problem_lights": problem_lights.__dict__,
        "digests": digests.__dict__,
    }
