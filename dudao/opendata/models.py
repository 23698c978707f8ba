"""Models of the opendata app: which fields may be published (as data), each project's
publication decision, and the immutable releases (dated snapshots of the public fields)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils import timezone


class Category(models.TextChoices):
    """The eight disclosure categories of 国办发〔2017〕94号, plus the project's basic facts."""

    BASIC = "basic", "项目基本信息"
    APPROVAL_SERVICE = "approval_service", "批准服务信息"
    APPROVAL_RESULT = "approval_result", "批准结果信息"
    TENDERING = "tendering", "招标投标信息"
    LAND = "land", "征收土地信息"
    DESIGN_CHANGE = "design_change", "重大设计变更信息"
    CONSTRUCTION = "construction", "施工有关信息"
    QUALITY_SAFETY = "quality_safety", "质量安全监督信息"
    COMPLETION = "completion", "竣工有关信息"


class FieldClass(models.Model):
    """One field of a project and whether it may be published: a decision kept as data.

    Personal data (names and phones of people) and anything 涉密 are `locked_internal`: the
    database refuses to make them public."""

    key = models.CharField("字段标识", max_length=40, unique=True)
    label = models.CharField("字段名称", max_length=40)
    category = models.CharField("公开类别", max_length=20, choices=Category.choices)
    is_public = models.BooleanField("公开", default=False)
    locked_internal = models.BooleanField(
        "不得公开", default=False, help_text="个人信息或涉密信息，任何情况下不公开。"
    )
    sort_order = models.IntegerField("排序", default=0)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "公开字段分类"
        verbose_name_plural = "公开字段分类"
        ordering = ["sort_order", "key"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(is_public=True, locked_internal=True),
                name="fieldclass_locked_never_public",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label}（{'公开' if self.is_public else '内部'}）"


class Publication(models.Model):
    """A supervisor's decision about one project: published (its current release is shown on
    the public pages and in every export) or withdrawn (shown nowhere)."""

    class Status(models.TextChoices):
        PUBLISHED = "published", "已公开"
        WITHDRAWN = "withdrawn", "已撤回"

    project = models.OneToOneField(
        "projects.Project",
        verbose_name="项目",
        on_delete=models.CASCADE,
        related_name="publication",
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices)
    current_release = models.OneToOneField(
        "opendata.Release",
        verbose_name="当前版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="current_of",
    )
    decided_by = models.ForeignKey(
        "accounts.User", verbose_name="决定人", on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("决定时间", default=timezone.now)
    reason = models.CharField("撤回原因", max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "项目公开决定"
        verbose_name_plural = "项目公开决定"
        ordering = ["project_id"]
        indexes = [models.Index(fields=["status", "decided_at"], name="publication_status")]

    def __str__(self) -> str:
        return f"{self.project_id}：{self.get_status_display()}"


class ImmutableRelease(Exception):
    """A release is never edited nor deleted: a change makes a new release."""


class ReleaseQuerySet(models.QuerySet["Release"]):
    """Bulk edits of releases are refused like single ones."""

    def update(self, **kwargs: Any) -> int:
        raise ImmutableRelease("公开版本不可修改，变更请发布新版本。")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableRelease("公开版本不可删除。")


class Release(models.Model):
    """One dated, immutable snapshot of a project's public fields. The filter columns are
    copies of the payload so the public list can filter and page without reading JSON."""

    project = models.ForeignKey(
        "projects.Project", verbose_name="项目", on_delete=models.CASCADE, related_name="+"
    )
    seq = models.PositiveIntegerField("版本号")
    released_at = models.DateTimeField("发布时间", default=timezone.now)
    released_by = models.ForeignKey(
        "accounts.User", verbose_name="发布人", on_delete=models.PROTECT, related_name="+"
    )
    digest = models.CharField("内容摘要", max_length=64)
    payload: Any = models.JSONField("公开内容")
    title = models.CharField("项目名称", max_length=120)
    county_name = models.CharField("县（市、区）", max_length=60)
    county_key = models.CharField("县（市、区）代码", max_length=12, db_index=True)
    category_code = models.CharField("项目类别", max_length=20)
    stage = models.CharField("建设阶段", max_length=12)
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    total_investment = models.DecimalField(
        "总投资（万元）", max_digits=14, decimal_places=2, null=True, blank=True
    )

    objects: ClassVar[ReleaseQuerySet] = ReleaseQuerySet.as_manager()  # type: ignore[assignment]  # django-stubs: as_manager() types a Manager

    class Meta:
        verbose_name = "公开版本"
        verbose_name_plural = "公开版本"
        ordering = ["project_id", "-seq"]
        constraints = [
            models.UniqueConstraint(fields=["project", "seq"], name="release_project_seq")
        ]
        indexes = [
            models.Index(fields=["county_key", "category_code", "stage"], name="release_filters"),
            models.Index(fields=["year"], name="release_year"),
        ]

    def __str__(self) -> str:
        return f"{self.title} 第{self.seq}版"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRelease("公开版本不可修改，变更请发布新版本。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRelease("公开版本不可删除。")


class PhotoClearance(models.Model):
    """A supervisor's decision about one site photo of a project's monthly reports: cleared
    for publication (it joins the project's next release and the public project page) or not
    (it leaves the next release, made at once). The photo itself stays with the report."""

    photo = models.OneToOneField(
        "projects.ReportPhoto",
        verbose_name="现场照片",
        on_delete=models.CASCADE,
        related_name="clearance",
    )
    project = models.ForeignKey(
        "projects.Project", verbose_name="项目", on_delete=models.CASCADE, related_name="+"
    )
    cleared = models.BooleanField("准许公开", default=False)
    caption = models.CharField("照片说明", max_length=60, blank=True)
    reason = models.CharField("撤销原因", max_length=300, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", verbose_name="决定人", on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("决定时间", default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "照片公开决定"
        verbose_name_plural = "照片公开决定"
        ordering = ["project_id", "photo_id"]
        indexes = [models.Index(fields=["project", "cleared"], name="photo_clearance_project")]

    def __str__(self) -> str:
        return f"照片{self.photo_id}：{'准许公开' if self.cleared else '不公开'}"
