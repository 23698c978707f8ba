"""督查督办 models (`dudao.supervision.models`): Notification centre."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

# --- Notification centre -----------------------------------------------------------------------


class Notification(models.Model):
    """One message in a user's in-app notification centre (the daily digest is one per day)."""

    class Kind(models.TextChoices):
        DIGEST = "digest", "每日提醒"
        ASSIGNED = "assigned", "任务交办"
        RETURNED = "returned", "销号退回"
        CLOSED = "closed", "任务销号"
        EXTENSION = "extension", "延期审批"
        APPLIED = "applied", "待核查"
        ESCALATION = "escalation", "升级督办"
        BULLETIN = "bulletin", "通报"
        REPORT_APPROVED = "report_ok", "月报审核通过"
        REPORT_RETURNED = "report_back", "月报退回"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    title = models.CharField("标题", max_length=120)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=200, blank=True)
    digest_date = models.DateField("提醒日期", null=True, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "digest_date"],
                condition=models.Q(kind="digest"),
                name="sv_one_digest_per_day",
            )
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="sv_notification_unread")]

    def __str__(self) -> str:
        return self.title
