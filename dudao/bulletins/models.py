"""督查通报 / 运行通报: document kinds as data, bulletins, their figures and the number counters.

A bulletin's data scope: its issuing organisation's subtree sees it in every state (drafts
included); once 签发 it is also seen by every unit it was sent to (主送/抄送).
"""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from dudao.core.scoping import scope_path_of


class BulletinKind(models.Model):
    """One kind of document (重大项目建设进展通报 …): numbering, recipients and sections."""

    class Numbering(models.TextChoices):
        WENHAO = "wenhao", "发文字号（机关代字〔年份〕序号号）"
        QISHU = "qishu", "期号（第N期）"

    class Periodicity(models.TextChoices):
        MONTHLY = "monthly", "每月"
        QUARTERLY = "quarterly", "每季度"
        EVENT = "event", "按次"

    code = models.CharField("编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=60)
    title_template = models.CharField(
        "标题模板",
        max_length=120,
        help_text="可用 {period}（如 2026年6月）、{scope}（如 示范市、甲县）。",
    )
    org_code = models.CharField("机关代字", max_length=20, help_text="如 示督通")
    numbering = models.CharField(
        "编号方式", max_length=10, choices=Numbering.choices, default=Numbering.WENHAO
    )
    periodicity = models.CharField(
        "周期", max_length=10, choices=Periodicity.choices, default=Periodicity.MONTHLY
    )
    issuer_suffix = models.CharField(
        "发文机关标志后缀",
        max_length=40,
        default="督查室",
        help_text="接在政府名称之后，如 示范市人民政府督查室",
    )
    main_to_kinds = models.JSONField(
        "主送单位类型", default=list, help_text="组织机构类型编码，如 county_gov、park_committee"
    )
    copy_to_kinds = models.JSONField("抄送单位类型", default=list)
    basis = models.TextField("开头：依据", blank=True)
    method = models.TextField("开头：组织方式", blank=True)
    sections = models.JSONField("章节顺序", default=list)
    requirements = models.JSONField("下步要求（每项一段）", default=list)
    is_monthly_job = models.BooleanField("月度锁定后自动起草", default=False)
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.IntegerField("排序", default=0)

    class Meta:
        verbose_name = "通报类型"
        verbose_name_plural = "通报类型"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class BulletinQuerySet(models.QuerySet["Bulletin"]):
    def visible_to(self, user: Any) -> Self:
        """The issuing organisation's subtree sees every state; units it was sent to see it
        once issued. The three administrators see none."""
        path = scope_path_of(user)
        if path is None or not user.has_business_role:
            return self.none()
        sent = Q(status=Bulletin.Status.APPROVED, recipients__path__startswith=path)
        ids = self.filter(Q(issuer_org__path__startswith=path) | sent).values("pk")
        return self.filter(pk__in=ids)


class Bulletin(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "待签发"
        APPROVED = "approved", "已签发"
        RETURNED = "returned", "已退回"

    kind = models.ForeignKey(BulletinKind, verbose_name="类型", on_delete=models.PROTECT)
    period = models.DateField("统计期", help_text="统计月份的第一天")
    scope_org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="范围",
        on_delete=models.PROTECT,
        related_name="+",
    )
    issuer_org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="发文单位",
        on_delete=models.PROTECT,
        related_name="+",
    )
    issuer_mark = models.CharField("发文机关标志", max_length=60)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField("标题", max_length=120)
    number_text = models.CharField("发文字号", max_length=40, blank=True)
    year = models.PositiveIntegerField("年度")
    seq = models.PositiveIntegerField("序号", null=True, blank=True)
    main_to = models.TextField("主送", blank=True)
    copy_to = models.TextField("抄送", blank=True)
    recipients = models.ManyToManyField(
        "orgs.Organisation", verbose_name="收文单位", related_name="+", blank=True
    )
    content = models.JSONField("正文", default=dict)
    version = models.PositiveIntegerField(default=1, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="起草人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("起草时间", default=timezone.now)
    updated_at = models.DateTimeField("修改时间", default=timezone.now)
    submitted_at = models.DateTimeField("送审时间", null=True, blank=True)
    return_reason = models.TextField("退回原因", blank=True)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签发人",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    signed_at = models.DateTimeField("签发时间", null=True, blank=True)
    signed_on = models.DateField("成文日期", null=True, blank=True)
    docx = models.BinaryField("签发文本（.docx）", null=True, blank=True, editable=False)
    docx_sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    search_text = models.TextField("全文", blank=True, editable=False)

    objects = BulletinQuerySet.as_manager()

    class Meta:
        verbose_name = "通报"
        verbose_name_plural = "通报"
        ordering = ["-period", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "seq"],
                condition=Q(seq__isnull=False),
                name="bulletin_number_once",
            )
        ]
        indexes = [models.Index(fields=["status", "period"], name="bulletin_status_period")]

    def __str__(self) -> str:
        return self.title

    @property
    def organisation(self) -> Any:
        """The owning organisation (for the audit log)."""
        return self.issuer_org

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def period_label(self) -> str:
        return f"{self.period.year}年{self.period.month}月"


class BulletinFigure(models.Model):
    """One figure in a bulletin: what it shows, where it comes from, and whether a person typed
    over it (then with a reason)."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="figures")
    key = models.CharField("编码", max_length=60)
    label = models.CharField("数据项", max_length=60)
    display = models.CharField("显示值", max_length=60)
    raw = models.DecimalField("原值", max_digits=20, decimal_places=6, null=True, blank=True)
    unit = models.CharField("单位", max_length=12, blank=True)
    source_module = models.CharField("来源模块", max_length=20)
    source_indicator = models.CharField("来源指标", max_length=80)
    source_period = models.CharField("统计期", max_length=30)
    source_scope = models.CharField("范围", max_length=60)
    lock_state = models.CharField("锁定状态", max_length=30, blank=True)
    fingerprint = models.CharField("数据指纹", max_length=64)
    overridden = models.BooleanField("手工修改", default=False)
    override_display = models.CharField("手工值", max_length=60, blank=True)
    override_reason = models.TextField("修改原因", blank=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "通报数据"
        verbose_name_plural = "通报数据"
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bulletin", "key"], name="bulletin_figure_once")
        ]

    def __str__(self) -> str:
        return f"{self.label}：{self.shown}"

    @property
    def shown(self) -> str:
        return self.override_display if self.overridden else self.display

    @property
    def source_text(self) -> str:
        parts = [self.source_indicator, self.source_period, self.source_scope, self.lock_state]
        return "；".join(p for p in parts if p)


class BulletinCounter(models.Model):
    """The last number issued per kind and year; locked with select_for_update on 签发."""

    kind = models.ForeignKey(BulletinKind, on_delete=models.PROTECT)
    year = models.PositiveIntegerField("年度")
    last = models.PositiveIntegerField("已用最大序号", default=0)

    class Meta:
        verbose_name = "通报编号"
        verbose_name_plural = "通报编号"
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="bulletin_counter_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last}"
