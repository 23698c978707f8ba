"""The problem ledger (问题台账): every difficulty found by a tour, an inspection, a monthly
report or an audit, with the unit that must fix it and a deadline, until it is verified closed.
A problem's data scope is its responsible unit's subtree (the issuing office sees its tree)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from dudao.core.scoping import ScopedQuerySet


class ProblemCategory(models.Model):
    """用地/资金/审批/拆迁/环评/水电气 … with a default time limit (SLA) in days."""

    code = models.CharField("编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=40, unique=True)
    sla_days = models.PositiveIntegerField("默认整改时限（天）", default=30)
    sort_order = models.IntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "问题类别"
        verbose_name_plural = "问题类别"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class ProblemQuerySet(ScopedQuerySet["Problem"]):
    scope_field = "responsible_org"


class Problem(models.Model):
    class Source(models.TextChoices):
        INSPECTION = "inspection", "观摩"
        SUPERVISION = "supervision", "督查"
        MONTHLY_REPORT = "monthly_report", "月报"
        AUDIT = "audit", "审计"
        ENVIRONMENT = "environment", "环保督察"
        OTHER = "other", "其他"

    class Severity(models.TextChoices):
        GENERAL = "general", "一般"
        SERIOUS = "serious", "较重"
        CRITICAL = "critical", "严重"

    class Status(models.TextChoices):
        ASSIGNED = "assigned", "交办"
        FIXING = "fixing", "整改中"
        APPLIED = "applied", "申请销号"
        VERIFYING = "verifying", "核查"
        CLOSED = "closed", "已销号"

    code = models.CharField("问题编号", max_length=20, unique=True)
    source = models.CharField("问题来源", max_length=20, choices=Source.choices)
    source_ref = models.CharField(
        "来源记录", max_length=60, blank=True, help_text="如 inspections.finding:12"
    )
    category = models.ForeignKey(
        ProblemCategory, verbose_name="问题类别", on_delete=models.PROTECT, related_name="problems"
    )
    title = models.CharField("问题", max_length=120)
    description = models.TextField("问题描述", blank=True)
    severity = models.CharField(
        "严重程度", max_length=10, choices=Severity.choices, default=Severity.GENERAL
    )
    county = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="所在县（市、区）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="county_problems",
    )
    responsible_org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="责任单位",
        on_delete=models.PROTECT,
        related_name="responsible_problems",
    )
    issuing_org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="交办单位",
        on_delete=models.PROTECT,
        related_name="issued_problems",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name="关联项目",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    park = models.ForeignKey(
        "parks.Park",
        verbose_name="关联园区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    deadline = models.DateField("整改时限")
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.ASSIGNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects: ClassVar[ProblemQuerySet] = ProblemQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "问题"
        verbose_name_plural = "问题台账"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["responsible_org", "status"], name="problem_resp_status"),
            models.Index(fields=["status", "deadline"], name="problem_status_deadline"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"
