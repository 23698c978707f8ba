"""The audit log: one immutable event per change, written in the change's transaction."""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn

from django.db import models
from django.db.models import Q
from django.utils import timezone

from dudao.core.roles import Role
from dudao.core.scoping import scope_path_of


class AuditImmutable(Exception):
    """Raised on any attempt to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Audit events. Only 审计管理员 may read them; nobody may change them."""

    def visible_to(self, user: Any) -> AuditEventQuerySet:
        """Return the events an audit administrator may read: their subtree and system events."""
        path = scope_path_of(user)
        if path is None or not user.has_role(Role.AUDITADMIN):
            return self.none()
        return self.filter(Q(organisation__isnull=True) | Q(organisation__path__startswith=path))

    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditImmutable("审计记录不可修改")

    def delete(self) -> NoReturn:
        raise AuditImmutable("审计记录不可删除")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditImmutable("审计记录不可修改")


class AuditEvent(models.Model):
    """Who did what to which object, when, from where, with the values before and after.

    Immutability is enforced by this model (no save-after-create, no delete), its queryset (no
    update/delete), database triggers (UPDATE everywhere; DELETE and TRUNCATE on PostgreSQL —
    migrations 0002 and 0003), the PostgreSQL app role's grants (INSERT and SELECT only, see
    dudao/audit/pgroles.py), and detected by the HMAC hash chain (dudao/audit/chain.py).
    """

    occurred_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField("操作人账号", max_length=80, blank=True)
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField("操作", max_length=60)
    object_type = models.CharField("对象类型", max_length=60, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    reason = models.TextField("原因", blank=True)
    success = models.BooleanField("成功", default=True)
    request_id = models.CharField("请求编号", max_length=64, blank=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    # The hash chain (dudao/audit/chain.py): position, the previous event's MAC, this one's.
    seq = models.PositiveBigIntegerField("链序号", unique=True)
    prev_mac = models.CharField("前一条封印", max_length=64)
    mac = models.CharField("封印", max_length=64)

    objects: ClassVar[AuditEventQuerySet] = AuditEventQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "action", "occurred_at"], name="audit_org_action"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor", "occurred_at"], name="audit_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AuditImmutable("审计记录不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditImmutable("审计记录不可删除")

    @property
    def action_label(self) -> str:
        from dudao.audit.actions import label_for

        return label_for(self.action)
