"""The worker's side of operations: a heartbeat every minute, the nightly backup with its
retention, and every failed job written down for the 系统管理员 (huey's error signal)."""

from __future__ import annotations

import logging
from typing import Any

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task
from huey.signals import SIGNAL_ERROR, SIGNAL_EXECUTING

from dudao.ops import jobruns, services

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def worker_heartbeat() -> str:
    return services.beat().worker


@db_periodic_task(crontab(minute="30", hour="2"), retries=1, retry_delay=600)  # type: ignore[untyped-decorator]
def nightly_backup() -> str:
    """02:30 every night: a backup into the backup folder, then the retention policy."""
    run = services.make_backup(trigger="nightly")
    removed = services.prune_backups()
    logger.info("nightly backup %s (%s removed by retention)", run.path, len(removed))
    return run.path


def _on_error(signal: str, task: Any, exc: BaseException | None = None) -> None:
    try:
        services.record_job_failure(
            task.name,
            str(task.id),
            f"{type(exc).__name__}: {exc}" if exc is not None else "未知错误",
            will_retry=bool(getattr(task, "retries", 0)),
        )
    except Exception:  # the database itself may be what failed: the log line stays
        logger.exception("could not record the failure of job %s", getattr(task, "name", "?"))


def connect_failure_log() -> None:
    HUEY.signal(SIGNAL_ERROR)(_on_error)


def _on_executing(signal: str, task: Any, *args: Any) -> None:
    if jobruns.tracked(task):
        try:
            jobruns.started(task, HUEY.serialize_task(task))
        except Exception:  # the job still runs; only its recovery after a crash is lost
            logger.exception("could not note the start of job %s", getattr(task, "name", "?"))


def _after_execute(task: Any, value: Any, exc: BaseException | None) -> None:
    """Huey's post-execute hook: runs after every end of a job (done, error, retry, lock)."""
    if jobruns.tracked(task):
        try:
            jobruns.finished(task)
        except Exception:
            logger.exception("could not note the end of job %s", getattr(task, "name", "?"))


def _recover_on_startup() -> None:
    """At worker start: beat at once (/readyz need not wait for the next minute after a
    restart), then re-queue the jobs a killed predecessor was running."""
    try:
        services.beat()
    except Exception:
        logger.exception("could not write the worker heartbeat at start")
    jobruns.recover_interrupted(HUEY)


def connect_job_ledger() -> None:
    """Keep the running jobs' ledger and re-queue killed jobs at start (a real worker only: in
    the tests' immediate mode nothing is queued, so nothing can be lost)."""
    if HUEY.immediate:
        return
    HUEY.signal(SIGNAL_EXECUTING)(_on_executing)
    HUEY.post_execute(name="ops_job_ledger")(_after_execute)
    HUEY.on_startup(name="ops_recover_interrupted")(_recover_on_startup)
