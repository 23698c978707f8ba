"""Major projects (重大项目): the registry. A project belongs to a county (its data scope) and
optionally lies in a park (`in_park`)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from dudao.core.scoping import ScopedQuerySet


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
    scope_field = "county"


class Project(models.Model):
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
        indexes = [models.Index(fields=["county", "category", "stage"], name="project_county_cat")]

    def __str__(self) -> str:
        return self.name

    @property
    def in_park(self) -> bool:
        return self.park_id is not None
