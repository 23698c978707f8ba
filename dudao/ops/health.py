"""/healthz and /readyz for the load balancer and the 运行状态 page.

/healthz answers while the process serves requests. /readyz answers 200 only when this
instance can do its work: the database answers, every migration of this release is applied,
the job worker beat within the last two minutes, the data directory has free space, and the
newest backup is younger than the configured age. Each check says what it saw, in Chinese.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from dudao.ops.models import BackupRun, WorkerHeartbeat

HEARTBEAT_MAX_AGE = dt.timedelta(minutes=2)


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    ok: bool
    detail: str


def _database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return Check("database", "数据库", False, f"无法连接：{type(exc).__name__}")
    return Check("database", "数据库", True, "连接正常")


def _migrations() -> Check:
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return Check("migrations", "数据库迁移", False, f"无法读取迁移状态：{type(exc).__name__}")
    if plan:
        return Check(
            "migrations", "数据库迁移", False, f"有 {len(plan)} 个迁移未执行，请执行数据库迁移"
        )
    return Check("migrations", "数据库迁移", True, "全部已执行")


def _worker(now: dt.datetime) -> Check:
    try:
        newest = (
            WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
        )
    except DatabaseError:
        return Check("worker", "任务进程", False, "无法读取心跳")
    if newest is None:
        return Check("worker", "任务进程", False, "从未收到任务进程心跳，请启动任务进程")
    age = now - newest
    seconds = int(age.total_seconds())
    if age > HEARTBEAT_MAX_AGE:
        return Check("worker", "任务进程", False, f"最近心跳在 {seconds} 秒前（超过 120 秒）")
    return Check("worker", "任务进程", True, f"最近心跳在 {seconds} 秒前")


def _disk() -> Check:
    data = Path(settings.DATA_DIR)
    usage = shutil.disk_usage(data)
    free_mb = usage.free // (1024 * 1024)
    minimum = int(settings.DUDAO_MIN_FREE_DISK_MB)
    detail = f"数据目录可用空间 {free_mb:,} MB（下限 {minimum:,} MB）"
    return Check("disk", "磁盘空间", free_mb >= minimum, detail)


def _backup(now: dt.datetime) -> Check:
    max_age = dt.timedelta(hours=int(settings.DUDAO_BACKUP_MAX_AGE_HOURS))
    try:
        newest = BackupRun.objects.values_list("created_at", flat=True).first()
    except DatabaseError:
        return Check("backup", "备份", False, "无法读取备份记录")
    if newest is None:
        return Check("backup", "备份", False, "还没有备份，请立即备份或等待夜间自动备份")
    hours = (now - newest).total_seconds() / 3600
    local = timezone.localtime(newest).strftime("%Y-%m-%d %H:%M")
    ok = now - newest <= max_age
    limit = int(settings.DUDAO_BACKUP_MAX_AGE_HOURS)
    return Check("backup", "备份", ok, f"最近备份 {local}（{hours:.1f} 小时前，上限 {limit} 小时）")


def readiness() -> list[Check]:
    """Every readiness check; the later ones are skipped when the database does not answer."""
    now = timezone.now()
    first = _database()
    if not first.ok:
        return [first, _disk()]
    return [first, _migrations(), _worker(now), _disk(), _backup(now)]
