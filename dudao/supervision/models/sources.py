"""督查督办 models (`dudao.supervision.models`): Sources."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from dudao.core.scoping import ScopedQuerySet

# --- Sources --------------------------------------------------------------------------------------


class SourceQuerySet(ScopedQuerySet["TaskSource"]):
    scope_field = "issuing_org"


class TaskSource(models.Model):
    """Where tasks come from: a meeting, a document (文号), a leader's 批示, an inspection."""

    class Kind(models.TextChoices):
        MEETING = "meeting", "会议决定"
        DOCUMENT = "document", "文件"
        INSTRUCTION = "instruction", "领导批示"
        INSPECTION = "inspection", "观摩督导发现"
        OTHER = "other", "其他"

    kind = models.CharField("来源类型", max_length=12, choices=Kind.choices)
    title = models.CharField("名称", max_length=120)
    doc_number = models.CharField("文号", max_length=60, blank=True)
    leader_name = models.CharField("批示领导", max_length=40, blank=True)
    source_date = models.DateField("日期")
    text = models.TextField("内容摘要/批示原文", blank=True)
    source_ref = models.CharField(
        "关联记录", max_length=60, blank=True, help_text="如 inspections.finding:12"
    )
    issuing_org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="登记单位",
        on_delete=models.PROTECT,
        related_name="task_sources",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", default=timezone.now, editable=False)

    objects: ClassVar[SourceQuerySet] = SourceQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "任务来源"
        verbose_name_plural = "任务来源"
        ordering = ["-source_date", "-id"]
        indexes = [
            models.Index(fields=["issuing_org", "source_date"], name="sv_source_org_date"),
            # The 领导批示 panel of an object: its instruction sources by `source_ref`.
            models.Index(fields=["source_ref", "kind"], name="sv_source_ref_kind"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def organisation(self) -> models.Model:
        return self.issuing_org
