"""The enterprise registry (企业名录) and its annual evaluation data (亩均效益评价数据).

An enterprise belongs to the unit that manages it (`organisation`: the park's 管委会, or the
county government for an enterprise outside the parks); that unit's path is its data scope.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from dudao.core.scoping import ScopedQuerySet
from dudao.enterprises.rules import DATA_ITEMS, INDUSTRY_CODE_RE, UngradedClass


class EnterpriseQuerySet(ScopedQuerySet["Enterprise"]):
    scope_field = "organisation"


class Enterprise(models.Model):
    class Status(models.TextChoices):
        OPERATING = "operating", "投产"
        SUSPENDED = "suspended", "停产"
        DEREGISTERED = "deregistered", "注销"

    uscc = models.CharField(
        "统一社会信用代码",
        max_length=18,
        unique=True,
        help_text="18位，校验位按 GB 32100-2015 检查。",
    )
    name = models.CharField("企业名称", max_length=120)
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="管理单位",
        on_delete=models.PROTECT,
        related_name="enterprises",
        help_text="园区内企业为园区管委会，园区外企业为所在县（市、区）政府。",
    )
    park = models.ForeignKey(
        "parks.Park",
        verbose_name="所在园区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    industry_code = models.CharField(
        "国民经济行业代码",
        max_length=4,
        validators=[
            RegexValidator(INDUSTRY_CODE_RE, "行业代码应为 GB/T 4754-2017 的4位小类代码。")
        ],
    )
    above_scale = models.BooleanField("规模以上", default=False)
    land_own_mu = models.DecimalField(
        "自有用地（亩）",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    land_leased_mu = models.DecimalField(
        "租赁用地（亩）",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    employees = models.PositiveIntegerField(
        "从业人员（人）", null=True, blank=True, validators=[MaxValueValidator(10_000_000)]
    )
    chain_node = models.ForeignKey(
        "investment.ChainNode",
        verbose_name="产业链节点",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registered_enterprises",
    )
    projects = models.ManyToManyField(
        "projects.Project", verbose_name="相关项目", blank=True, related_name="enterprises"
    )
    deals = models.ManyToManyField(
        "investment.Deal", verbose_name="相关招商线索", blank=True, related_name="enterprises"
    )
    ungraded_class = models.CharField(
        "不分类管理情形",
        max_length=16,
        choices=UngradedClass.choices,
        blank=True,
        help_text="公用事业、享受税收优惠、初创期、重大项目建设期的企业参加评价但不分档，按B类管理。",
    )
    status = models.CharField(
        "经营状态", max_length=16, choices=Status.choices, default=Status.OPERATING
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects: ClassVar[EnterpriseQuerySet] = EnterpriseQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "企业"
        verbose_name_plural = "企业"
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["organisation", "name"], name="enterprise_org_name"),
            models.Index(fields=["park", "above_scale"], name="enterprise_park_scale"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(uscc__regex=r"^[0-9A-HJ-NPQRTUWXY]{18}$"),
                name="enterprise_uscc_charset",
                violation_error_message="统一社会信用代码应为18位数字或大写字母（不含I、O、S、V、Z）。",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def land_mu(self) -> Any:
        """Own plus leased land in 亩 (None when neither is known)."""
        if self.land_own_mu is None and self.land_leased_mu is None:
            return None
        return (self.land_own_mu or 0) + (self.land_leased_mu or 0)


class EnterpriseStatus(models.Model):
    """One change of an enterprise's status (投产/停产/注销), with its date."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="statuses"
    )
    status = models.CharField("经营状态", max_length=16, choices=Enterprise.Status.choices)
    since = models.DateField("起始日期")
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        verbose_name="登记人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "企业状态变更"
        verbose_name_plural = "企业状态变更"
        ordering = ["enterprise", "since", "id"]

    def __str__(self) -> str:
        return f"{self.get_status_display()}（{self.since:%Y-%m-%d}起）"


class AnnualValue(models.Model):
    """One evaluation figure of an enterprise for a year, with where it came from. A figure
    that was never supplied has no row: missing stays visible, never a zero."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="annual_values"
    )
    year = models.PositiveSmallIntegerField(
        "年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    item = models.CharField(
        "数据项", max_length=16, choices=[(code, d.label) for code, d in DATA_ITEMS.items()]
    )
    value = models.DecimalField("数值", max_digits=18, decimal_places=4)
    source = models.CharField(
        "数据来源", max_length=40, help_text="如 税务部门、统计部门、供电公司。"
    )
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "企业年度评价数据"
        verbose_name_plural = "企业年度评价数据"
        ordering = ["enterprise", "year", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year", "item"], name="enterprise_annual_value_once"
            ),
        ]
        indexes = [models.Index(fields=["year", "enterprise"], name="annual_value_year")]

    def __str__(self) -> str:
        return f"{self.year}年度 {self.get_item_display()} {self.value}（{self.source}）"
