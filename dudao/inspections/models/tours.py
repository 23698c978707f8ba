"""观摩督导 models (`dudao.inspections.models`): tours and their plan."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar, Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from dudao.core.scoping import ScopedQuerySet, scope_path_of
from dudao.inspections.models.sheets import ScoreSheet

# --- Tours and their plan: groups, units, sites, judges -------------------------------------------


class TourQuerySet(ScopedQuerySet["Tour"]):
    """Who sees a tour (docs/inspections.md, 谁能看到观摩活动):

    * before publication (筹备中, 评分中, 评分结束): the organisers — users whose scope holds
      the organiser (the organising government's 督查室, leaders and offices) — and the tour's
      judges (a seat is the organiser's grant);
    * once published: also the participants — every business user under the organising
      government (a county and its park committees see the city's published tours).
    """

    scope_field = "organiser"

    def visible_to(self, user: Any) -> Self:
        path = scope_path_of(user)
        if path is None or not user.has_business_role:
            return self.none()
        ancestors = [path[: i + 7] for i in range(0, len(path), 7)]
        return self.filter(
            Q(organiser__path__startswith=path)
            | Q(organiser__scope_path__in=ancestors, status=Tour.Status.PUBLISHED)
            | Exists(Judge.objects.filter(tour=OuterRef("pk"), user=user))
        )


class Tour(models.Model):
    """A tour (观摩活动) with its scoring rules. Every parameter the research marks [P] is a
    field here with the default of domain-research §3.3, editable per tour."""

    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "市级"
        COUNTY = "county", "县级"

    class Method(models.TextChoices):
        TRIMMED_MEAN = "trimmed_mean", "评委打分（去掉最高最低分后平均）"
        ZSCORE = "zscore", "评委打分（按评委标准化后平均）"
        RANK_VOTE = "rank_vote", "排名投票（济宁式：第1名100分，每降一名减3分）"

    class Status(models.TextChoices):
        PLANNING = "planning", "筹备中"
        SCORING = "scoring", "评分中"
        CLOSED = "closed", "评分结束"
        PUBLISHED = "published", "已发布"
        CANCELLED = "cancelled", "已取消"

    organiser = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="组织单位",
        on_delete=models.PROTECT,
        related_name="organised_tours",
    )
    level = models.CharField("级别", max_length=10, choices=Level.choices, default=Level.CITY)
    name = models.CharField("活动名称", max_length=80)
    period = models.CharField("期别", max_length=30, help_text="如 2026年上半年")
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")
    method = models.CharField(
        "评分方法", max_length=15, choices=Method.choices, default=Method.TRIMMED_MEAN
    )
    trim_k = models.PositiveSmallIntegerField(
        "去掉最高、最低分各几个", default=1, validators=[MaxValueValidator(5)]
    )
    min_judges_for_trim = models.PositiveSmallIntegerField(
        "去分所需最少评委数", default=5, validators=[MinValueValidator(3)]
    )
    vote_top_points = models.DecimalField(
        "第1名得分", max_digits=5, decimal_places=1, default=Decimal(100)
    )
    vote_step = models.DecimalField(
        "每降一名减分", max_digits=4, decimal_places=1, default=Decimal(3)
    )
    county_sheet = models.ForeignKey(
        ScoreSheet,
        verbose_name="县级综合评分表",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    county_weight = models.DecimalField(
        "县级综合评分权重",
        max_digits=4,
        decimal_places=3,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text="0 表示只按项目得分；如 0.3 表示单位得分 = 项目得分×0.7 + 县级综合评分×0.3。",
    )
    finding_threshold = models.DecimalField(
        "问题提示线（得分率）",
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.6"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text="某评分项得分低于满分的该比例时，为组织者生成待确认的问题草稿。",
    )
    min_investment = models.DecimalField(
        "入选项目最低总投资（万元）",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    required_levels = models.CharField(
        "入选项目级别", max_length=40, blank=True, help_text="逗号分隔：province,city；留空不限"
    )
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.PLANNING
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    publish_note = models.CharField(
        "发布说明", max_length=200, blank=True, help_text="评分表未收齐仍发布时填写的理由"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects: ClassVar[TourQuerySet] = TourQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "观摩活动"
        verbose_name_plural = "观摩活动"
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["organiser", "start_date"], name="insp_tour_org_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="insp_tour_dates",
                violation_error_message="结束日期不能早于开始日期。",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_locked(self) -> bool:
        """Published or cancelled: nothing of the tour may change any more."""
        return self.status in (self.Status.PUBLISHED, self.Status.CANCELLED)

    @property
    def organisation(self) -> Any:
        return self.organiser


class UnitGroup(models.Model):
    """A ranking group (县(市)组 / 城区组 / 开发区组): units are ranked within their group."""

    tour = models.ForeignKey(
        Tour, verbose_name="观摩活动", on_delete=models.CASCADE, related_name="unit_groups"
    )
    name = models.CharField("排名分组", max_length=20)
    sort_order = models.IntegerField("排序", default=0)

    class Meta:
        verbose_name = "排名分组"
        verbose_name_plural = "排名分组"
        ordering = ["tour_id", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["tour", "name"], name="insp_unitgroup_name")]

    def __str__(self) -> str:
        return self.name


class TourSheet(models.Model):
    """Which score sheet a type of site is scored on in a tour, and the type's weight in the
    unit's score (weights per site type; e.g. 产业 0.6, 城建 0.4)."""

    tour = models.ForeignKey(
        Tour, verbose_name="观摩活动", on_delete=models.CASCADE, related_name="sheets"
    )
    category = models.ForeignKey(
        "projects.ProjectCategory",
        verbose_name="项目类别",
        on_delete=models.PROTECT,
        related_name="+",
    )
    sheet = models.ForeignKey(
        ScoreSheet, verbose_name="评分表", on_delete=models.PROTECT, related_name="+"
    )
    weight = models.DecimalField(
        "权重",
        max_digits=4,
        decimal_places=3,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )

    class Meta:
        verbose_name = "点位类型评分表"
        verbose_name_plural = "点位类型评分表"
        ordering = ["tour_id", "category__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["tour", "category"], name="insp_toursheet_category")
        ]

    def __str__(self) -> str:
        return f"{self.category} → {self.sheet}（权重{self.weight}）"


class TourGroup(models.Model):
    """A visiting group (组) led by a city leader, visiting some counties."""

    tour = models.ForeignKey(
        Tour, verbose_name="观摩活动", on_delete=models.CASCADE, related_name="groups"
    )
    name = models.CharField("组名", max_length=20)
    leader_name = models.CharField("带队领导", max_length=20)
    leader_title = models.CharField("职务", max_length=30)
    members = models.TextField("成员", blank=True, help_text="每行一人：姓名 职务")
    sort_order = models.IntegerField("排序", default=0)

    class Meta:
        verbose_name = "观摩组"
        verbose_name_plural = "观摩组"
        ordering = ["tour_id", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["tour", "name"], name="insp_group_name")]

    def __str__(self) -> str:
        return f"{self.name}（{self.leader_title}{self.leader_name}带队）"

    @property
    def member_list(self) -> list[str]:
        return [line.strip() for line in self.members.splitlines() if line.strip()]


class TourUnitQuerySet(ScopedQuerySet["TourUnit"]):
    scope_field = "county"


class TourUnit(models.Model):
    """A county (or zone) taking part in a tour: its ranking group and visiting group."""

    tour = models.ForeignKey(
        Tour, verbose_name="观摩活动", on_delete=models.CASCADE, related_name="units"
    )
    county = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="县（市、区）",
        on_delete=models.PROTECT,
        related_name="tour_units",
    )
    unit_group = models.ForeignKey(
        UnitGroup, verbose_name="排名分组", on_delete=models.PROTECT, related_name="units"
    )
    visit_group = models.ForeignKey(
        TourGroup,
        verbose_name="观摩组",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="units",
    )
    visit_order = models.PositiveSmallIntegerField("观摩顺序", default=1)

    objects: ClassVar[TourUnitQuerySet] = TourUnitQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "参评单位"
        verbose_name_plural = "参评单位"
        ordering = ["tour_id", "visit_group_id", "visit_order", "id"]
        constraints = [models.UniqueConstraint(fields=["tour", "county"], name="insp_unit_county")]

    def __str__(self) -> str:
        return self.county.display_name

    @property
    def organisation(self) -> Any:
        return self.county


class SiteQuerySet(ScopedQuerySet["Site"]):
    """A site is seen in its county's scope, and only while its tour is visible."""

    scope_field = "county"

    def visible_to(self, user: Any) -> Self:
        return super().visible_to(user).filter(tour__in=Tour.objects.visible_to(user))


class Site(models.Model):
    """A stop on the route: one project (or the county's 汇报 session, scored on the county
    sheet), in the order of the day, with its time slot and the presenter."""

    class Kind(models.TextChoices):
        PROJECT = "project", "项目现场"
        COUNTY = "county", "县级汇报"

    tour = models.ForeignKey(
        Tour, verbose_name="观摩活动", on_delete=models.CASCADE, related_name="sites"
    )
    unit = models.ForeignKey(
        TourUnit, verbose_name="参评单位", on_delete=models.CASCADE, related_name="sites"
    )
    county = models.ForeignKey(
        "orgs.Organisation", verbose_name="县（市、区）", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.PROJECT)
    project = models.ForeignKey(
        "projects.Project",
        verbose_name="项目",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tour_sites",
    )
    category = models.ForeignKey(
        "projects.ProjectCategory",
        verbose_name="项目类别",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sheet = models.ForeignKey(
        ScoreSheet, verbose_name="评分表", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("名称", max_length=120)
    in_park = models.BooleanField("位于园区", default=False)
    investment = models.DecimalField(
        "总投资（万元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    visit_date = models.DateField("观摩日期")
    slot_start = models.TimeField("开始时间")
    slot_end = models.TimeField("结束时间")
    order = models.PositiveSmallIntegerField("当日顺序", default=1)
    presenter_name = models.CharField("讲解人", max_length=20, blank=True)
    presenter_title = models.CharField("讲解人职务", max_length=40, blank=True)
    warnings = models.JSONField("入选提示", default=list, blank=True)

    objects: ClassVar[SiteQuerySet] = SiteQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "观摩点位"
        verbose_name_plural = "观摩点位"
        ordering = ["tour_id", "visit_date", "slot_start", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tour", "project"],
                name="insp_site_project",
                violation_error_message="该项目已在本次观摩路线中。",
            ),
            models.CheckConstraint(
                condition=Q(slot_end__gt=models.F("slot_start")),
                name="insp_site_slot",
                violation_error_message="结束时间必须晚于开始时间。",
            ),
        ]
        indexes = [models.Index(fields=["tour", "county"], name="insp_site_tour_county")]

    def __str__(self) -> str:
        return self.title

    @property
    def organisation(self) -> Any:
        return self.county


class Judge(models.Model):
    """A judge of a tour, in a visiting group. `county` is the judge's own county (from the
    account's organisation): the judge never scores or votes for it. A judge without an
    account (`name` only) is one whose paper sheets were typed in (past tours)."""

    tour = models.ForeignKey(
        Tour, verbose_name="观摩活动", on_delete=models.CASCADE, related_name="judges"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评委账户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="judge_seats",
    )
    name = models.CharField("评委姓名（纸质评分）", max_length=40, blank=True)
    group = models.ForeignKey(
        TourGroup,
        verbose_name="所在观摩组",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="judges",
    )
    county = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="本人所在县（回避）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "评委"
        verbose_name_plural = "评委"
        ordering = ["tour_id", "group_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tour", "user"], name="insp_judge_user"),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""),
                name="insp_judge_user_or_name",
                violation_error_message="评委必须是系统账户，或填写姓名（纸质评分）。",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.user.full_name if self.user is not None else self.name
