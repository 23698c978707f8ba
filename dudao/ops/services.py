"""Operations' writes: a backup and its record, a restore's record, the retention run, the
worker heartbeat and a failed job — each in one transaction, the audited ones with their event."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from dudao.audit.services import record_event
from dudao.ops import backup
from dudao.ops.models import BackupRun, JobFailure, WorkerHeartbeat

SYSTEM_ACTOR = "系统（定时任务）"


def make_backup(
    out: Path | None = None, *, trigger: str = "manual", actor_name: str = ""
) -> BackupRun:
    """Write a backup (outside any transaction: it only reads), then record it and audit it."""
    result = backup.create_backup(out)
    tables = result.manifest["tables"]
    with transaction.atomic():
        run = BackupRun.objects.create(
            path=str(result.path),
            created_at=timezone.now(),
            size_bytes=result.size_bytes,
            seconds=round(result.seconds, 3),
            tables=len(tables),
            rows=sum(tables.values()),
            files=len(result.manifest["files"]),
            trigger=trigger,
        )
        record_event(
            actor=None,
            actor_name=actor_name or SYSTEM_ACTOR,
            action="ops.backup",
            obj=run,
            after={"位置": run.path, "表数": run.tables, "总行数": run.rows, "文件数": run.files},
        )
    return run


def prune_backups(root: Path | None = None) -> list[Path]:
    """Apply the retention policy (7 daily, 4 weekly, 12 monthly) and audit what went."""
    removed = backup.prune(root)
    if removed:
        with transaction.atomic():
            record_event(
                actor=None,
                actor_name=SYSTEM_ACTOR,
                action="ops.backup_pruned",
                after={"删除": [p.name for p in removed]},
            )
    return removed


def record_restore(source: Path, result: backup.RestoreResult, actor_name: str) -> None:
    """Audit a finished restore in the restored log (sealed with the restored audit key)."""
    with transaction.atomic():
        record_event(
            actor=None,
            actor_name=actor_name,
            action="ops.restore",
            after={
                "来源": str(source),
                "表数": result.tables,
                "总行数": result.rows,
                "文件数": result.files,
                "迁移": result.migrated,
            },
        )


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(name: str | None = None) -> WorkerHeartbeat:
    """The job worker says it is alive (one row per worker process, updated in place)."""
    with transaction.atomic():
        heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
            worker=name or worker_name(), defaults={"seen_at": timezone.now()}
        )
    return heartbeat


def record_job_failure(task: str, task_id: str, error: str, *, will_retry: bool) -> JobFailure:
    with transaction.atomic():
        return JobFailure.objects.create(
            task=task[:200],
            task_id=task_id[:64],
            error=error[:4000],
            will_retry=will_retry,
            occurred_at=timezone.now(),
        )
