"""Jobs (huey): the monthly drafts after the reporting lock."""

from __future__ import annotations

from typing import Any

from huey.contrib.djhuey import db_task

from dudao.bulletins import jobs


@db_task(retries=1, retry_delay=300)  # type: ignore[untyped-decorator]
def draft_monthly(actor_id: int, year: int, month: int) -> dict[str, Any]:
    """Draft the monthly bulletins of the locking supervisor's city once its month is locked."""
    return jobs.draft_monthly(actor_id, year, month)
