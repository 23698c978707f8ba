"""Enterprise service (万人助万企): liaison officers assigned to enterprises, their visits, and
enterprise demands (企业诉求) routed to a responsible department with a response SLA in
workdays, answered, confirmed by the enterprise (or its officer on its behalf) and rated.

A demand belongs to the enterprise's managing unit (`organisation`, the data scope of the
park and county) and is worked by a department (`department`, its inbox)."""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from dudao.core.scoping import ScopedQuerySet
from dudao.enterprises.models.registry import Enterprise


class DemandCategory(models.TextChoices):
    LAND = "land", "用地"
    FUNDING = "funding", "资金"
    ENERGY = "energy", "用能"
    LABOUR = "labour", "用工"
    APPROVAL = "approval", "审批"
    OTHER = "other", "其他"


class DemandSlaRule(models.Model):
    """The response time limit of a demand category in workdays (data, edited by 督查员)."""

    category = models.CharField(
        "诉求类别", max_length=12, choices=DemandCategory.choices, unique=True
    )
    workdays = models.PositiveSmallIntegerField(
        "答复时限（工作日）", validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    source_doc = models.CharField("依据", max_length=200, blank=True)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "诉求办理时限"
        verbose_name_plural = "诉求办理时限"
        ordering = ["category"]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.workdays}个工作日"


class EnterpriseAccount(models.Model):
    """Binds an account holding the 企业 role to the one enterprise (by USCC) it acts for."""

    user = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="enterprise_binding"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="accounts"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "企业账户"
        verbose_name_plural = "企业账户"

    def __str__(self) -> str:
        return f"{self.user_id} → {self.enterprise_id}"


class AssignmentQuerySet(ScopedQuerySet["LiaisonAssignment"]):
    scope_field = "enterprise__organisation"


class LiaisonAssignment(models.Model):
    """An officer (a user of any unit) assigned to an enterprise from a date (to a date)."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="liaisons"
    )
    officer = models.ForeignKey(
        "accounts.User",
        verbose_name="联企干部",
        on_delete=models.PROTECT,
        related_name="liaison_assignments",
    )
    valid_from = models.DateField("起始日期")
    valid_to = models.DateField("终止日期", null=True, blank=True)
    assigned_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects: ClassVar[AssignmentQuerySet] = AssignmentQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "联企干部"
        verbose_name_plural = "联企干部"
        ordering = ["enterprise", "-valid_from", "id"]
        indexes = [models.Index(fields=["officer", "valid_to"], name="liaison_officer")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="liaison_dates_ordered",
                violation_error_message="终止日期不能早于起始日期。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} 联系 {self.enterprise_id}"


class VisitQuerySet(ScopedQuerySet["Visit"]):
    scope_field = "enterprise__organisation"


class Visit(models.Model):
    """One visit of an officer to an enterprise (走访记录)."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="visits"
    )
    officer = models.ForeignKey(
        "accounts.User", verbose_name="走访干部", on_delete=models.PROTECT, related_name="visits"
    )
    # The officer's unit at the time of the visit (coverage per unit and quarter).
    officer_unit = models.ForeignKey(
        "orgs.Organisation", verbose_name="干部单位", on_delete=models.PROTECT, related_name="+"
    )
    visited_on = models.DateField("走访日期")
    people_met = models.CharField("会见人员", max_length=200)
    notes = models.TextField("走访情况", max_length=4000, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects: ClassVar[VisitQuerySet] = VisitQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "走访记录"
        verbose_name_plural = "走访记录"
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(fields=["enterprise", "visited_on"], name="visit_enterprise_date"),
            models.Index(fields=["visited_on", "officer"], name="visit_date_officer"),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on:%Y-%m-%d} 走访"


class VisitPhoto(models.Model):
    """A photo of a visit, re-encoded without metadata by core.uploads.clean_photo."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField("照片", upload_to="enterprises/visits/%Y/%m/", max_length=200)
    original_name = models.CharField("文件名", max_length=120)
    size = models.PositiveIntegerField("大小（字节）")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "走访照片"
        verbose_name_plural = "走访照片"
        ordering = ["visit", "id"]

    def __str__(self) -> str:
        return self.original_name


class DemandQuerySet(ScopedQuerySet["Demand"]):
    scope_field = "organisation"


class Demand(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待受理"
        IN_PROGRESS = "in_progress", "办理中"
        ANSWERED = "answered", "已答复"
        CLOSED = "closed", "已办结"
        RETURNED = "returned", "已退回"

    class Source(models.TextChoices):
        OFFICER = "officer", "联企干部"
        ENTERPRISE = "enterprise", "企业自行提出"

    code = models.CharField("编号", max_length=16, unique=True)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="demands"
    )
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="企业管理单位",
        on_delete=models.PROTECT,
        related_name="+",
    )
    visit = models.ForeignKey(
        Visit,
        verbose_name="走访记录",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="demands",
    )
    source = models.CharField("提出方式", max_length=12, choices=Source.choices)
    raised_by = models.ForeignKey(
        "accounts.User", verbose_name="提出人", on_delete=models.PROTECT, related_name="+"
    )
    raised_on = models.DateField("提出日期")
    category = models.CharField("诉求类别", max_length=12, choices=DemandCategory.choices)
    title = models.CharField("诉求事项", max_length=120)
    content = models.TextField("诉求内容", max_length=4000)
    department = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="责任部门",
        on_delete=models.PROTECT,
        related_name="enterprise_demands",
    )
    sla_workdays = models.PositiveSmallIntegerField("答复时限（工作日）")
    routed_on = models.DateField("交办日期")
    due_on = models.DateField("答复期限")
    due_provisional = models.BooleanField("期限暂定", default=False)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    answer = models.TextField("答复意见", max_length=4000, blank=True)
    answered_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_on = models.DateField("答复日期", null=True, blank=True)
    answered_on_time = models.BooleanField("按期答复", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_on = models.DateField("确认日期", null=True, blank=True)
    confirmed_on_behalf = models.BooleanField("干部代为确认", default=False)
    satisfaction = models.PositiveSmallIntegerField(
        "满意度",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    satisfaction_comment = models.CharField("评价意见", max_length=500, blank=True)
    reopen_count = models.PositiveSmallIntegerField("重新办理次数", default=0)
    return_reason = models.CharField("退回理由", max_length=500, blank=True)
    problem_id = models.PositiveIntegerField("转入问题台账", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects: ClassVar[DemandQuerySet] = DemandQuerySet.as_manager()  # type: ignore[assignment]

    OPEN = (Status.PENDING, Status.IN_PROGRESS)

    class Meta:
        verbose_name = "企业诉求"
        verbose_name_plural = "企业诉求"
        ordering = ["-raised_on", "-id"]
        indexes = [
            models.Index(fields=["department", "status", "due_on"], name="demand_inbox"),
            models.Index(fields=["enterprise", "raised_on"], name="demand_enterprise"),
            models.Index(fields=["raised_on"], name="demand_raised_on"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True)
                | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="demand_satisfaction_1_5",
                violation_error_message="满意度应为1–5分。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def is_overdue(self, today: object) -> bool:
        return self.is_open and self.due_on < today  # type: ignore[operator]


class DemandEvent(models.Model):
    """One step in a demand's history (提出、交办、改派、答复、确认、重新办理、退回、转台账)."""

    class Action(models.TextChoices):
        RAISE = "raise", "提出"
        ROUTE = "route", "交办"
        ACCEPT = "accept", "受理"
        REASSIGN = "reassign", "改派"
        ANSWER = "answer", "答复"
        CONFIRM = "confirm", "确认办结"
        REOPEN = "reopen", "重新办理"
        RETURN = "return", "退回"
        ESCALATE = "escalate", "转入问题台账"

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("动作", max_length=12, choices=Action.choices)
    actor = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_unit = models.CharField("办理单位", max_length=120, blank=True)
    status_before = models.CharField(max_length=12, blank=True)
    status_after = models.CharField(max_length=12, blank=True)
    note = models.CharField("说明", max_length=1000, blank=True)
    at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "诉求办理记录"
        verbose_name_plural = "诉求办理记录"
        ordering = ["demand", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"
