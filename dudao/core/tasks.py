"""Periodic housekeeping jobs (huey)."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from django.conf import settings
from django.contrib.sessions.models import Session
from django.dispatch import Signal
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

logger = logging.getLogger(__name__)

# Sent after expired sessions are deleted, so the apps that index sessions (accounts'
# login-session list) drop their rows for them; core knows no app (docs/architecture.md).
sessions_purged = Signal()


def purge_expired_sessions() -> int:
    """Delete expired sessions; `sessions_purged` receivers drop the rows that pointed at them."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    sessions_purged.send(sender=Session)
    return deleted


def purge_stale_uploads(root: Path | None = None, max_age_seconds: float | None = None) -> int:
    """Delete temporary upload files older than the configured age; return how many."""
    root = root or Path(settings.DATA_DIR) / "tmp"
    age = (
        max_age_seconds
        if max_age_seconds is not None
        else (settings.DUDAO_STALE_UPLOAD_AGE.total_seconds())
    )
    cutoff = time.time() - age
    removed = 0
    if not root.is_dir():
        return 0
    for path in root.rglob("*"):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # removed by a concurrent run
            continue
    return removed


@db_periodic_task(crontab(minute="17", hour="*"), retries=1, retry_delay=300)  # type: ignore[untyped-decorator]
def housekeeping() -> dict[str, int]:
    """Hourly: expired sessions, stale temporary uploads and expired 试导入 files."""
    from dudao.core.importflow import purge_expired

    result = {
        "sessions": purge_expired_sessions(),
        "uploads": purge_stale_uploads(),
        "import_staging": purge_expired(),
    }
    logger.info("housekeeping: %s", result)
    return result
