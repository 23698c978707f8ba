"""Jobs killed mid-run are run again, once.

Huey takes a job off the queue before running it and has no acknowledgement: when the worker
process dies during the job (SIGKILL, power loss, the OOM killer, a clerk's `kill -9`), the job
is simply gone — its own `retries` only cover a job that raises. A daily job (lights and
digests at 07:30, the nightly backup) would then wait a whole day, a one-off job (the monthly
bulletin drafts) forever.

So the worker keeps a ledger: a `JobRun` row is written when a job starts (with the job's
serialised message) and deleted when it ends in any way huey reports (done, failed, retried,
cancelled). At worker start `recover_interrupted` looks for rows of dead worker processes of
this host: the first interruption re-queues the job from its message (attempt 1); a second one
gives up and records a failure for the 系统管理员 (运行状态 page). Every job run this way is
idempotent (a day's lights and digests, a backup, housekeeping, a month's drafts).

Jobs that run every minute (heartbeat, audit anchor) are not kept: the next minute runs them.
A worker on another host is not judged from here (its process cannot be checked).
"""

from __future__ import annotations

import logging
import os
import socket
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import timezone

from dudao.ops.models import JobRun

logger = logging.getLogger(__name__)

# Every-minute jobs: a killed one simply runs at the next minute.
UNTRACKED = frozenset({"worker_heartbeat", "anchor_audit_chain"})
MAX_RECOVERIES = 1
GAVE_UP = (
    "任务进程在执行该任务时被终止，已自动重试 1 次后再次被终止，不再自动重试，请检查后手动执行"
)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _short(task: Any) -> str:
    return str(getattr(task, "name", "")).rsplit(".", 1)[-1]


def tracked(task: Any) -> bool:
    return _short(task) not in UNTRACKED


def started(task: Any, payload: bytes) -> None:
    """The worker begins `task`: remember it (a re-queued one keeps its attempt count)."""
    with transaction.atomic():
        JobRun.objects.update_or_create(
            task_id=str(task.id)[:64],
            defaults={
                "task": str(task.name)[:200],
                "worker": worker_name(),
                "payload": payload,
                "started_at": timezone.now(),
            },
        )


def finished(task: Any) -> None:
    """The job ended in a way huey knows (done, error, retry, cancel): forget it."""
    with transaction.atomic():
        JobRun.objects.filter(task_id=str(task.id)[:64]).delete()


def _alive(worker: str) -> bool | None:
    """Is the process named `host:pid` alive? None when it runs on another host."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def orphans() -> list[JobRun]:
    """Rows of jobs whose worker process on this host is dead (not this process)."""
    me = worker_name()
    return [run for run in JobRun.objects.exclude(worker=me) if _alive(run.worker) is False]


def recover_interrupted(huey: Any) -> dict[str, list[str]]:
    """Re-queue each job killed mid-run once; record the ones killed again as failures."""
    from dudao.ops import services

    done: dict[str, list[str]] = {"requeued": [], "gave_up": []}
    try:
        found = orphans()
    except DatabaseError:
        logger.exception("could not read the running jobs' ledger")
        return done
    for run in found:
        with transaction.atomic():
            # claim the row: a second worker starting at the same time finds it taken
            claimed = JobRun.objects.filter(
                pk=run.pk, worker=run.worker, attempt=run.attempt
            ).update(worker=f"{worker_name()}:recovering")
            if not claimed:
                continue
            if run.attempt >= MAX_RECOVERIES:
                JobRun.objects.filter(pk=run.pk).delete()
                services.record_job_failure(run.task, run.task_id, GAVE_UP, will_retry=False)
                done["gave_up"].append(run.task)
                logger.error("job %s %s interrupted again: not retried", run.task, run.task_id)
                continue
            JobRun.objects.filter(pk=run.pk).update(
                attempt=run.attempt + 1, worker=f"{worker_name()}:queued"
            )
            huey.enqueue(huey.deserialize_task(bytes(run.payload)))
        done["requeued"].append(run.task)
        logger.warning("job %s %s was interrupted: queued again", run.task, run.task_id)
    return done
