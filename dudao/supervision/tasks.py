"""Periodic job (huey): every morning, lights then one digest per responsible user."""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dudao.supervision import jobs


@db_periodic_task(crontab(minute="30", hour="7"))  # type: ignore[untyped-decorator]
def supervision_daily() -> dict[str, Any]:
    """07:30 Asia/Shanghai: recompute task lights, raise escalations, send digests."""
    lights, digests = jobs.daily()
    return {"lights": lights.__dict__, "digests": digests.__dict__}
