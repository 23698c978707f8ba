"""Reads for the 运行状态 page (系统管理员): no business data, so no organisation scope."""

from __future__ import annotations

from django.db.models import QuerySet

from dudao.ops.models import BackupRun, JobFailure, WorkerHeartbeat


def heartbeats() -> QuerySet[WorkerHeartbeat]:
    return WorkerHeartbeat.objects.order_by("-seen_at")[:10]


def recent_backups() -> QuerySet[BackupRun]:
    return BackupRun.objects.order_by("-created_at", "-id")[:10]


def job_failures() -> QuerySet[JobFailure]:
    return JobFailure.objects.order_by("-occurred_at", "-id")
