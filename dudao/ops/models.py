"""What operations keep in the database: the job worker's heartbeat, the jobs that failed and
the backups that were made (for /readyz and the 运行状态 page)."""

from __future__ import annotations

from django.db import models

# The jobs' names as the 系统管理员 reads them on the 运行状态 page.
TASK_LABELS = {
    "worker_heartbeat": "任务进程心跳",
    "nightly_backup": "夜间备份",
    "housekeeping": "定时清理（会话、临时上传）",
    "anchor_audit_chain": "审计哈希链锚点",
    "supervision_daily": "督查每日提醒",
    "draft_monthly": "生成月度通报草稿",
}


class WorkerHeartbeat(models.Model):
    """One row per job worker host+process, touched every minute by a periodic job."""

    worker = models.CharField("工作进程", max_length=200, unique=True)
    seen_at = models.DateTimeField("最近心跳")

    class Meta:
        verbose_name = "任务进程心跳"
        ordering = ("-seen_at",)

    def __str__(self) -> str:
        return self.worker


class JobFailure(models.Model):
    """A job that raised: kept for the 系统管理员 (the worker's log has the same line)."""

    task = models.CharField("任务", max_length=200)
    task_id = models.CharField("任务编号", max_length=64)
    error = models.TextField("错误")
    will_retry = models.BooleanField("将重试", default=False)
    occurred_at = models.DateTimeField("发生时间", db_index=True)

    class Meta:
        verbose_name = "任务失败记录"
        ordering = ("-occurred_at", "-id")

    def __str__(self) -> str:
        return f"{self.task_label} {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def task_label(self) -> str:
        """The job's Chinese name when it has one (TASK_LABELS), else its code name."""
        return TASK_LABELS.get(self.task.rsplit(".", 1)[-1], self.task)


class BackupRun(models.Model):
    """A finished backup (made by `dudao backup` or the nightly job)."""

    path = models.CharField("位置", max_length=500)
    created_at = models.DateTimeField("完成时间", db_index=True)
    size_bytes = models.BigIntegerField("大小（字节）")
    seconds = models.FloatField("耗时（秒）")
    tables = models.PositiveIntegerField("表数")
    rows = models.BigIntegerField("总行数")
    files = models.PositiveIntegerField("文件数")
    trigger = models.CharField("方式", max_length=20, default="manual")

    class Meta:
        verbose_name = "备份记录"
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.path

    @property
    def size_mb(self) -> str:
        return f"{self.size_bytes / 1024 / 1024:,.1f}"


class JobRun(models.Model):
    """A job the worker is running right now (deleted when it ends, however it ends).

    A row still here after its worker process died means the job was killed mid-run (SIGKILL,
    power loss, OOM): huey has already taken it off the queue and would never run it again.
    The next worker start re-queues it once from `payload`; a second interruption is recorded
    as a failure for the 系统管理员 instead (dudao/ops/jobruns.py)."""

    task_id = models.CharField("任务编号", max_length=64, unique=True)
    task = models.CharField("任务", max_length=200)
    worker = models.CharField("工作进程", max_length=200)
    payload = models.BinaryField("任务消息")
    attempt = models.PositiveSmallIntegerField("中断后重试次数", default=0)
    started_at = models.DateTimeField("开始时间")

    class Meta:
        verbose_name = "执行中的任务"
        ordering = ("started_at", "id")

    def __str__(self) -> str:
        return f"{self.task} {self.task_id}"
