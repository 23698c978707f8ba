"""Major projects (重大项目): the registry. A project belongs to a county (its data scope) and
optionally lies in a park (`in_park`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar, Self

from django.db import models
from django.utils import timezone

from dudao.core.lights import Light, band, band_q
from dudao.core.scoping import ScopedQuerySet, scope_path_of


class ProjectCategory(models.Model):
    """产业/城建/基础设施/社会民生 … (a configurable list)."""

    code = models.CharField("编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=40, unique=True)
    sort_order = models.IntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "项目类别"
        verbose_name_plural = "项目类别"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class ProjectQuerySet(ScopedQuerySet["Project"]):
    """Scoped by county; a park committee also sees the projects lying in its park."""

    scope_field = "county"

    def visible_to(self, user: Any) -> Self:
        path = scope_path_of(user)
        if path is None or not user.has_business_role:
            return self.none()
        if covers_a_county(user, path):
            return self.filter(county__path__startswith=path)
        return self.filter(park__organisation__path__startswith=path)


def covers_a_county(user: Any, path: str) -> bool:
    """True when the user's scope holds at least one county (cached on the user object):
    county and city users see projects by county, park committees by park."""
    cached: dict[str, bool] = user.__dict__.setdefault("_projects_covers_county", {})
    if path not in cached:
        from dudao.orgs.models import Organisation

        cached[path] = Organisation.objects.filter(
            kind=Organisation.Kind.COUNTY_GOV, path__startswith=path
        ).exists()
    return cached[path]


class CountyScopedQuerySet(ScopedQuerySet[Any]):
    scope_field = "county"


class ScopedPlanQuerySet(ScopedQuerySet["ProjectYearPlan"]):
    """Plans are seen with their project (county users by county, parks by park)."""

    def visible_to(self, user: Any) -> Self:
        return self.filter(project__in=Project.objects.visible_to(user).values("pk"))


class ReportQuerySet(ScopedQuerySet["MonthlyReport"]):
    def visible_to(self, user: Any) -> Self:
        path = scope_path_of(user)
        if path is None or not user.has_business_role:
            return self.none()
        if covers_a_county(user, path):
            return self.filter(county__path__startswith=path)
        return self.filter(project__park__organisation__path__startswith=path)


class Project(models.Model):
    class CodeScheme(models.TextChoices):
        LEGACY = "legacy", "2016–2020 旧规则（年份）"
        NEW = "2020", "2020年11月起新规则（年月）"

    class BuildNature(models.TextChoices):
        NEW = "new", "新建"
        EXPANSION = "expansion", "扩建"
        RECONSTRUCTION = "reconstruction", "改建（技改）"
        RELOCATION = "relocation", "迁建"
        OTHER = "other", "其他"

    class Stage(models.TextChoices):
        PREPARATION = "preparation", "前期"
        NEW = "new", "新开工"
        CONTINUING = "continuing", "续建"
        COMPLETED = "completed", "竣工"
        PRODUCING = "producing", "投产"

    class Level(models.TextChoices):
        PROVINCE = "province", "省重点"
        CITY = "city", "市重点"
        COUNTY = "county", "县重点"

    code = models.CharField(
        "项目代码",
        max_length=24,
        unique=True,
        null=True,
        blank=True,
        help_text="全国投资项目在线审批监管平台赋予的 24 位项目代码。",
    )
    name = models.CharField("项目名称", max_length=120)
    category = models.ForeignKey(
        ProjectCategory, verbose_name="项目类别", on_delete=models.PROTECT, related_name="projects"
    )
    stage = models.CharField("建设阶段", max_length=12, choices=Stage.choices)
    level = models.CharField("项目级别", max_length=10, choices=Level.choices)
    county = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="所在县（市、区）",
        on_delete=models.PROTECT,
        related_name="county_projects",
    )
    park = models.ForeignKey(
        "parks.Park",
        verbose_name="所在园区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    total_investment = models.DecimalField("总投资（万元）", max_digits=14, decimal_places=2)
    code_scheme = models.CharField(
        "代码版本", max_length=10, choices=CodeScheme.choices, blank=True, editable=False
    )
    code_year = models.PositiveSmallIntegerField("赋码年份", null=True, blank=True, editable=False)
    code_month = models.PositiveSmallIntegerField("赋码月份", null=True, blank=True, editable=False)
    code_area = models.CharField("代码中的地区代码", max_length=6, blank=True, editable=False)
    code_sector = models.CharField(
        "代码中的行业/部门代码", max_length=2, blank=True, editable=False
    )
    code_type = models.CharField("代码中的项目类型代码", max_length=2, blank=True, editable=False)
    build_nature = models.CharField(
        "建设性质", max_length=16, choices=BuildNature.choices, default=BuildNature.NEW
    )
    lists = models.ManyToManyField(
        "projects.ProjectList", verbose_name="所属名单", blank=True, related_name="projects"
    )
    description = models.TextField("建设内容及规模", blank=True)
    invest_before = models.DecimalField(
        "纳入系统前累计完成投资（万元）",
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        help_text="开工至纳入本系统月报前已完成的投资，自开工累计 = 本项 + 各月月报之和。",
    )
    responsible_unit = models.CharField("责任单位", max_length=100, blank=True)
    lead_leader = models.CharField("包联领导", max_length=60, blank=True)
    liaison = models.CharField("联络员", max_length=40, blank=True)
    liaison_phone = models.CharField("联络电话", max_length=20, blank=True)
    builder_name = models.CharField("建设单位", max_length=100, blank=True)
    builder_uscc = models.CharField("建设单位统一社会信用代码", max_length=18, blank=True)
    industry_code = models.CharField("国民经济行业代码", max_length=5, blank=True)
    is_active = models.BooleanField("在库", default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects: ClassVar[ProjectQuerySet] = ProjectQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "重大项目"
        verbose_name_plural = "重大项目"
        ordering = ["county_id", "name"]
        indexes = [
            models.Index(fields=["county", "category", "stage"], name="project_county_cat"),
            models.Index(fields=["park", "category"], name="project_park_cat"),
            models.Index(fields=["level", "county"], name="project_level_county"),
            models.Index(fields=["stage", "county"], name="project_stage_county"),
            # the list's usual filters (category, stage, level) served by one index
            models.Index(fields=["category", "stage", "level"], name="project_cat_stage_level"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total_investment__gte=0), name="project_total_nonneg"
            ),
            models.CheckConstraint(
                condition=models.Q(invest_before__gte=0), name="project_before_nonneg"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def in_park(self) -> bool:
        return self.park_id is not None


class ProjectList(models.Model):
    """A named yearly list a project can belong to: 省重点2026, 市重点2026, 观摩2026上半年 …"""

    code = models.CharField("编码", max_length=30, unique=True)
    name = models.CharField("名单名称", max_length=60, unique=True)
    year = models.PositiveSmallIntegerField("年度")
    sort_order = models.IntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "项目名单"
        verbose_name_plural = "项目名单"
        ordering = ["-year", "sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class AreaCode(models.Model):
    """Area codes accepted in national project codes besides GB/T 2260 divisions:
    功能区 codes (e.g. 320193) and the demo city's fictional codes."""

    class Kind(models.TextChoices):
        FUNCTIONAL = "functional", "功能区代码"
        DEMO = "demo", "演示代码"

    code = models.CharField("地区代码", max_length=6, unique=True)
    name = models.CharField("名称", max_length=60)
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "补充地区代码"
        verbose_name_plural = "补充地区代码"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{6}$"), name="areacode_6_digits"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class MilestoneNode(models.Model):
    """One node of the configurable, ordered milestone list (签约 → … → 投产)."""

    class Role(models.TextChoices):
        NONE = "", "—"
        START = "start", "开工"
        COMPLETE = "complete", "竣工"
        PRODUCE = "produce", "投产"

    code = models.CharField("编码", max_length=20, unique=True)
    name = models.CharField("节点名称", max_length=30, unique=True)
    sort_order = models.IntegerField("顺序")
    role = models.CharField(
        "统计含义",
        max_length=10,
        choices=Role.choices,
        blank=True,
        help_text="开工/竣工/投产节点用于开工延迟灯和季度目标。",
    )
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "形象进度节点"
        verbose_name_plural = "形象进度节点"
        ordering = ["sort_order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["role"], condition=~models.Q(role=""), name="milestone_role_once"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ProjectMilestone(models.Model):
    """Planned and actual date of one node for one project."""

    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.CASCADE, related_name="milestones"
    )
    node = models.ForeignKey(
        MilestoneNode, verbose_name="节点", on_delete=models.PROTECT, related_name="+"
    )
    planned_date = models.DateField("计划日期", null=True, blank=True)
    actual_date = models.DateField("实际日期", null=True, blank=True)

    class Meta:
        verbose_name = "项目节点"
        verbose_name_plural = "项目节点"
        ordering = ["project_id", "node__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["project", "node"], name="milestone_project_node")
        ]
        indexes = [models.Index(fields=["node", "actual_date"], name="milestone_node_actual")]

    def __str__(self) -> str:
        planned, actual = self.planned_date or "—", self.actual_date or "—"
        return f"{self.project_id}·{self.node_id}：{planned} / {actual}"


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

    objects: ClassVar[ScopedPlanQuerySet] = ScopedPlanQuerySet.as_manager()  # type: ignore[assignment]

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

    objects: ClassVar[ReportQuerySet] = ReportQuerySet.as_manager()  # type: ignore[assignment]

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
    """Client request ids already processed (a repeated submission writes nothing twice)."""

    key = models.CharField("请求编号", max_length=64, unique=True)
    action = models.CharField("操作", max_length=20)
    report = models.ForeignKey(
        MonthlyReport, verbose_name="月报", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "已处理请求"
        verbose_name_plural = "已处理请求"

    def __str__(self) -> str:
        return f"{self.action}:{self.key}"


class MonthLock(models.Model):
    """The city supervisor's lock of a month, for one county or city-wide (county empty)."""

    county = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="县（市、区）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="为空表示全市锁定。",
    )
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份")
    locked_by = models.ForeignKey(
        "accounts.User", verbose_name="锁定人", on_delete=models.PROTECT, related_name="+"
    )
    locked_at = models.DateTimeField("锁定时间", default=timezone.now)
    is_active = models.BooleanField("生效", default=True)
    unlocked_by = models.ForeignKey(
        "accounts.User",
        verbose_name="解锁人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unlocked_at = models.DateTimeField("解锁时间", null=True, blank=True)
    unlock_reason = models.CharField("解锁原因", max_length=300, blank=True)

    class Meta:
        verbose_name = "月度锁定"
        verbose_name_plural = "月度锁定"
        ordering = ["-year", "-month", "county_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "year", "month"],
                condition=models.Q(is_active=True),
                name="lock_active_once",
            ),
        ]
        indexes = [models.Index(fields=["year", "month", "is_active"], name="lock_month")]

    def __str__(self) -> str:
        scope = self.county.short_name if self.county else "全市"
        return f"{scope} {self.year}年{self.month}月锁定"


class CountyMonthStat(models.Model):
    """Roll-up of approved reports per county × category × month, kept fresh by the
    approve/return services so that the city analysis never scans the reports."""

    county = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(ProjectCategory, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份")
    approved_count = models.IntegerField("已审核月报数", default=0)
    invest = models.DecimalField(
        "已审核本月完成投资（万元）", max_digits=16, decimal_places=2, default=Decimal("0")
    )
    funds = models.DecimalField(
        "已审核本月资金到位（万元）", max_digits=16, decimal_places=2, default=Decimal("0")
    )

    class Meta:
        verbose_name = "县区类别月汇总"
        verbose_name_plural = "县区类别月汇总"
        constraints = [
            models.UniqueConstraint(
                fields=["county", "category", "year", "month"], name="stat_county_cat_month"
            )
        ]
        indexes = [models.Index(fields=["year", "month"], name="stat_year_month")]

    def __str__(self) -> str:
        return f"{self.county_id}·{self.category_id} {self.year}-{self.month:02d}"


class QuarterTarget(models.Model):
    """A county's quarterly target count of 新开工 / 竣工 / 投产 projects."""

    class Metric(models.TextChoices):
        START = "start", "新开工"
        COMPLETE = "complete", "竣工"
        PRODUCE = "produce", "投产"

    county = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="县（市、区）",
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    metric = models.CharField("指标", max_length=10, choices=Metric.choices)
    target = models.PositiveIntegerField("目标个数")
    version = models.PositiveIntegerField(default=1, editable=False)

    objects: ClassVar[CountyScopedQuerySet] = CountyScopedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "季度目标"
        verbose_name_plural = "季度目标"
        ordering = ["year", "quarter", "county_id", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "year", "quarter", "metric"], name="target_once"
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4), name="target_quarter_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年第{self.quarter}季度{self.get_metric_display()}目标 {self.target}"


class ProjectSettings(models.Model):
    """Thresholds and deadline rules of the module ([P] in domain-research: data, not code).
    One row (pk=1) created by a migration, edited by the city supervisor."""

    class DeadlineKind(models.TextChoices):
        NATURAL = "calendar_day", "自然日"
        WORKDAY = "workday", "工作日"

    lag_yellow_from = models.DecimalField(
        "滞后黄灯起点（个百分点，含）", max_digits=5, decimal_places=2, default=Decimal("10")
    )
    lag_red_above = models.DecimalField(
        "滞后红灯界限（个百分点，超过即红）",
        max_digits=5,
        decimal_places=2,
        default=Decimal("30"),
    )
    start_yellow_from = models.PositiveSmallIntegerField("开工延迟黄灯（月，含）", default=1)
    start_red_from = models.PositiveSmallIntegerField("开工延迟红灯（月，含）", default=3)
    jump_ratio = models.DecimalField(
        "投资突增阈值（占年度计划%）",
        max_digits=6,
        decimal_places=2,
        default=Decimal("40"),
        help_text="本月完成投资超过年度计划（无计划时为总投资）的该比例时，必须填写说明。",
    )
    deadline_days = models.PositiveSmallIntegerField(
        "报送截止（次月第 N 日）",
        default=5,
        help_text="自然日：次月 N 日（遇节假日顺延）；工作日：月末后第 N 个工作日。",
    )
    deadline_kind = models.CharField(
        "截止日计算方式",
        max_length=14,
        choices=DeadlineKind.choices,
        default=DeadlineKind.NATURAL,
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "重大项目参数"
        verbose_name_plural = "重大项目参数"

    def __str__(self) -> str:
        return "重大项目参数"

    @classmethod
    def current(cls) -> ProjectSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj

    def lag_bands(self) -> dict[str, Any]:
        """The lag light's band (滞后: yellow from, red above): one definition for the colour of
        a value (`lag_light`) and the SQL conditions on a stored lag (`lag_light_q`)."""
        return {
            "yellow_from": self.lag_yellow_from,
            "red_from": self.lag_red_above,
            "red_inclusive": False,
        }

    def lag_light(self, lag: Decimal | None) -> Light:
        return band(lag, **self.lag_bands())

    def lag_light_q(self, field: str = "lag") -> dict[Light, models.Q]:
        """SQL conditions per colour on a stored lag, generated from the same band."""
        return band_q(field, **self.lag_bands())

    def start_light(self, months_late: int | None) -> Light:
        return band(months_late, yellow_from=self.start_yellow_from, red_from=self.start_red_from)
