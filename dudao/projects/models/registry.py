"""The registry: categories, projects, lists, area codes, milestone nodes and the scoped
querysets every read starts from."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.db import models, router
from django.utils import timezone

from dudao.core.precompiled import Precompiled
from dudao.core.scoping import ScopedQuerySet, scope_path_of

if TYPE_CHECKING:
    from dudao.projects.models.reports import (  # noqa: F401 - named in the generics
        MonthlyReport,
        ProjectYearPlan,
    )


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
        return self.under_scope(path, covers_a_county(user, path))

    def under_scope(self, path: str, by_county: bool) -> Self:
        """The projects under a scope path: by county, or (a park committee's scope, which
        holds no county) by park."""
        if by_county:
            return self.filter(county__path__startswith=path)
        return self.filter(park__organisation__path__startswith=path)


def covers_a_county(user: Any, path: str) -> bool:
    """True when the user's scope holds at least one county (cached on the user object):
    county and city users see projects by county, park committees by park."""
    cached: dict[str, bool] = user.__dict__.setdefault("_projects_covers_county", {})
    if path not in cached:
        from dudao.orgs.models import Organisation

        alias = router.db_for_read(Organisation)
        cached[path] = bool(_COUNTY_UNDER.rows("county", using=alias, path=path))
    return cached[path]


def _county_under(shape: object, path: str) -> models.QuerySet[Any]:
    """A county government under the path (the query `covers_a_county` runs, precompiled)."""
    from dudao.orgs.models import Organisation

    return (
        Organisation.objects.filter(kind=Organisation.Kind.COUNTY_GOV, path__startswith=path)
        .order_by()
        .values_list("pk")[:1]
    )


_COUNTY_UNDER = Precompiled(_county_under)


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

    objects: ClassVar[ProjectQuerySet] = ProjectQuerySet.as_manager()  # type: ignore[assignment]  # django-stubs: as_manager() types a Manager

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
            # a county's list by category, in the list's order (name, id): no sort step
            models.Index(fields=["county", "category", "name"], name="project_county_cat_name"),
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
    county = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="所属县（市、区）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="功能区所在的县（市、区）：项目代码使用本代码时，项目须属于该县（市、区）。",
    )
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
