"""督查督办 models (`dudao.supervision.models`): Attachments and extensions."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from dudao.core.scoping import ScopedQuerySet
from dudao.supervision.models.sources import TaskSource
from dudao.supervision.models.tasks import SupervisionTask, TaskFeedback

# --- Attachments and extensions -------------------------------------------------------------------


def attachment_path(instance: Attachment, filename: str) -> str:
    today = timezone.localdate()
    return f"supervision/{today:%Y/%m}/{instance.sha256[:16]}-{filename}"


class AttachmentQuerySet(ScopedQuerySet["Attachment"]):
    scope_field = "organisation"


class Attachment(models.Model):
    """Evidence or a source document; served only through a scope-checked view."""

    source = models.ForeignKey(
        TaskSource,
        verbose_name="任务来源",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    feedback = models.ForeignKey(
        TaskFeedback,
        verbose_name="反馈",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name="所属单位", on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField("文件", upload_to=attachment_path, max_length=255)
    name = models.CharField("文件名", max_length=120)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    objects: ClassVar[AttachmentQuerySet] = AttachmentQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source__isnull=False, feedback__isnull=True)
                | models.Q(source__isnull=True, feedback__isnull=False),
                name="sv_attachment_one_owner",
                violation_error_message="附件必须属于一个来源或一条反馈。",
            )
        ]

    def __str__(self) -> str:
        return self.name


class TaskExtension(models.Model):
    """延期申请: asked before the deadline, approved (new date) or refused by the issuer."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REFUSED = "refused", "未批准"

    task = models.ForeignKey(
        SupervisionTask, verbose_name="任务", on_delete=models.CASCADE, related_name="extensions"
    )
    reason = models.TextField("延期理由")
    progress_note = models.TextField("目前进展", blank=True)
    old_deadline = models.DateField("原完成时限")
    new_deadline = models.DateField("申请完成时限")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"],
                condition=models.Q(status="pending"),
                name="sv_one_pending_extension",
                violation_error_message="该任务已有待审批的延期申请。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task.code} 延期至 {self.new_deadline}"
