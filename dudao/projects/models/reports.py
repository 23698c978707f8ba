"""Year plans and monthly reports (月报) with their photos and replay keys."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.db import models
from django.utils import timezone

from dudao.projects.models.registry import (
    MilestoneNode,
    Project,
    ReportQuerySet,
    ScopedPlanQuerySet,
)


class ProjectYearPlan(models.Model):
    """The annual plan of one project, with the approved roll-up kept fresh by the services."""

    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.CASCADE, related_name="plans"
    )
    county = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="所在县（市、区）",
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField("年度")
    planned_investment = models.DecimalField(
        "年度计划投资（万元）", max_digits=14, decimal_places=2
    )
    curve = models.JSONField(
        "按月计划累计投资（万元）",
        null=True,
        blank=True,
        help_text="可选：12 个数，第 N 个为 1–N 月计划累计投资；为空时序时进度按 N/12 计。",
    )
    planned_nodes = models.JSONField(
        "年内计划完成节点", default=list, blank=True, help_text="节点编码列表。"
    )
    # Roll-up of approved reports (maintained by approve/return services; never typed).
    approved_ytd = models.DecimalField(
        "已审核年内累计（万元）",
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        editable=False,
    )
    approved_month = models.PositiveSmallIntegerField("已审核至月份", default=0, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects: ClassVar[ScopedPlanQuerySet] = ScopedPlanQuerySet.as_manager()  # type: ignore[assignment]  # django-stubs: as_manager() types a Manager

    class Meta:
        verbose_name = "年度计划"
        verbose_name_plural = "年度计划"
        ordering = ["project_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="plan_project_year"),
            models.CheckConstraint(
                condition=models.Q(planned_investment__gte=0), name="plan_nonneg"
            ),
        ]
        indexes = [models.Index(fields=["year", "county"], name="plan_year_county")]

    def __str__(self) -> str:
        return f"{self.project}（{self.year}年计划）"

    def planned_cumulative(self, month: int) -> Decimal | None:
        """The plan's cumulative figure at the end of `month` (None without a curve)."""
        if not self.curve:
            return None
        return Decimal(str(self.curve[month - 1]))


class MonthlyReport(models.Model):
    """One project's progress report for one month (月报 / 调度表)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已报送"
        RETURNED = "returned", "已退回"
        APPROVED = "approved", "已审核"

    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.PROTECT, related_name="reports"
    )
    county = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="所在县（市、区）",
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份")
    invest_month = models.DecimalField("本月完成投资（万元）", max_digits=14, decimal_places=2)
    invest_ytd = models.DecimalField(
        "年内累计完成投资（万元）", max_digits=14, decimal_places=2, editable=False
    )
    invest_total = models.DecimalField(
        "自开工累计完成投资（万元）", max_digits=14, decimal_places=2, editable=False
    )
    lag = models.DecimalField(
        "较序时进度滞后（个百分点）",
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
        help_text="审核通过时按年度计划计算并保存（计划变更时重算），供全市分析汇总亮灯。",
    )
    funds_month = models.DecimalField(
        "本月资金到位（万元）", max_digits=14, decimal_places=2, default=Decimal("0")
    )
    funds_ytd = models.DecimalField(
        "年内累计资金到位（万元）",
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        editable=False,
    )
    node = models.ForeignKey(
        MilestoneNode,
        verbose_name="本月达到节点",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    node_date = models.DateField("节点实际日期", null=True, blank=True)
    progress_text = models.CharField("形象进度", max_length=300, blank=True)
    has_problem = models.BooleanField("存在问题", default=False)
    problem_text = models.CharField("问题描述", max_length=500, blank=True)
    next_steps = models.CharField("下步计划", max_length=300, blank=True)
    note = models.CharField(
        "说明", max_length=300, blank=True, help_text="本月投资超过突增阈值时必须说明原因。"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    return_reason = models.CharField("退回原因", max_length=300, blank=True)
    is_late = models.BooleanField("逾期报送", default=False)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name="填报人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    first_submitted_at = models.DateTimeField("首次报送时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User",
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    problem_ref = models.ForeignKey(
        "problems.Problem",
        verbose_name="已转入问题台账",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects: ClassVar[ReportQuerySet] = ReportQuerySet.as_manager()  # type: ignore[assignment]  # django-stubs: as_manager() types a Manager

    class Meta:
        verbose_name = "项目月报"
        verbose_name_plural = "项目月报"
        ordering = ["project_id", "year", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year", "month"], name="report_project_month"
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="report_month_range"
            ),
            models.CheckConstraint(
                condition=models.Q(invest_month__gte=0), name="report_invest_nonneg"
            ),
            models.CheckConstraint(
                condition=models.Q(funds_month__gte=0), name="report_funds_nonneg"
            ),
        ]
        indexes = [
            models.Index(fields=["year", "month", "county", "status"], name="report_month_county"),
            models.Index(fields=["county", "status"], name="report_county_status"),
            models.Index(fields=["year", "month", "status", "county"], name="report_month_status"),
        ]

    def __str__(self) -> str:
        return f"{self.project}（{self.year}年{self.month}月）"

    @property
    def period_label(self) -> str:
        return f"{self.year}年{self.month}月"


class ReportPhoto(models.Model):
    """A site photo of a monthly report (re-encoded, EXIF stripped)."""

    report = models.ForeignKey(
        MonthlyReport, verbose_name="月报", on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField("照片", upload_to="projects/photos/%Y/%m/")
    width = models.PositiveIntegerField("宽", default=0)
    height = models.PositiveIntegerField("高", default=0)
    uploaded_by = models.ForeignKey(
        "accounts.User", verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "现场照片"
        verbose_name_plural = "现场照片"
        ordering = ["report_id", "created_at"]

    def __str__(self) -> str:
        return f"月报{self.report_id}的照片"


class ReportRequest(models.Model):
    """Client request ids already processed (a repeated submission writes nothing twice).

    A key belongs to one user and one report: it is looked up only after the scope check, so
    someone else's key (or the same key on another report) never answers with that report."""

    key = models.CharField("请求编号", max_length=64)
    user = models.ForeignKey(
        "accounts.User",
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
    )
    action = models.CharField("操作", max_length=20)
    report = models.ForeignKey(
        MonthlyReport, verbose_name="月报", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "已处理请求"
        verbose_name_plural = "已处理请求"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "report", "key"], name="report_request_user_report_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.action}:{self.key}"
