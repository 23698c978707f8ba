"""The organisation tree (单位), stored as a materialized path."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from dudao.core.scoping import ScopedQuerySet

PATH_STEP = 7  # "000123." : six digits of the id and a dot


def path_segment(pk: int) -> str:
    """Return the path segment of organisation `pk`."""
    return f"{pk:06d}."


class OrganisationQuerySet(ScopedQuerySet["Organisation"]):
    """Organisations, scoped to the user's subtree. Administrators may see them too."""

    scope_field = ""
    business_data = False

    def subtree(self, org: Organisation) -> OrganisationQuerySet:
        """Return `org` and all its descendants."""
        return self.filter(path__startswith=org.path)


class Organisation(models.Model):
    """A unit of government: 市政府, 督查室, a county government, a park committee …"""

    class Kind(models.TextChoices):
        PROVINCE_GOV = "province_gov", "省政府"
        CITY_GOV = "city_gov", "市政府"
        SUPERVISION_OFFICE = "supervision_office", "督查室"
        DRC = "drc", "发展和改革委员会"
        COMMERCE = "commerce", "商务局"
        STATISTICS = "statistics", "统计局"
        COUNTY_GOV = "county_gov", "县（市、区）政府"
        PARK_COMMITTEE = "park_committee", "产业集聚区管委会"
        DEPARTMENT = "department", "部门"

    class ScopeBase(models.TextChoices):
        OWN = "own", "本单位及下级单位"
        PARENT = "parent", "上级单位及其全部下级"

    # Functional offices of a government see their government's whole tree by default.
    DEFAULT_SCOPE_BASE: ClassVar[dict[str, str]] = {
        Kind.PROVINCE_GOV: ScopeBase.OWN,
        Kind.CITY_GOV: ScopeBase.OWN,
        Kind.COUNTY_GOV: ScopeBase.OWN,
        Kind.PARK_COMMITTEE: ScopeBase.OWN,
        Kind.SUPERVISION_OFFICE: ScopeBase.PARENT,
        Kind.DRC: ScopeBase.PARENT,
        Kind.COMMERCE: ScopeBase.PARENT,
        Kind.STATISTICS: ScopeBase.PARENT,
        Kind.DEPARTMENT: ScopeBase.PARENT,
    }

    code = models.CharField(
        "单位编码",
        max_length=40,
        unique=True,
        help_text="导入文件中引用本单位的编码，如 SFS-DCS。字母、数字、-、_。",
    )
    name = models.CharField("单位名称", max_length=100)
    short_name = models.CharField("简称", max_length=40, blank=True)
    kind = models.CharField("类型", max_length=24, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=1, editable=False)
    scope_base = models.CharField(
        "数据范围", max_length=8, choices=ScopeBase.choices, default=ScopeBase.OWN
    )
    scope_path = models.CharField(max_length=255, editable=False, db_index=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name="行政区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    sort_order = models.IntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects: ClassVar[OrganisationQuerySet] = OrganisationQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="org_unique_name_per_parent",
                violation_error_message="同一上级单位下已有同名单位。",
            ),
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Za-z0-9_-]+$"),
                name="org_code_charset",
                violation_error_message="单位编码只能包含字母、数字、-、_。",
            ),
        ]
        indexes = [models.Index(fields=["kind", "path"], name="org_kind_path")]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The one name pages and exports show, by kind (`dudao.orgs.rules.display_name`)."""
        from dudao.orgs.rules import display_name

        return display_name(self)

    @property
    def scope_is_type_default(self) -> bool:
        """Whether the data scope is the one its type gets by default."""
        return self.scope_base == self.DEFAULT_SCOPE_BASE.get(self.kind, self.ScopeBase.OWN)

    @property
    def effective_scope(self) -> str:
        """The data scope in words, naming the unit whose tree it covers (e.g. a 督查室 sees
        "示范市人民政府及其全部下级")."""
        if self.scope_base == self.ScopeBase.PARENT and self.parent is not None:
            return f"{self.parent.name}及其全部下级"
        return f"{self.name}及其下级"

    def is_ancestor_of(self, other: Organisation) -> bool:
        """Return True when `other` lies in this organisation's subtree (itself included)."""
        return other.path.startswith(self.path)
