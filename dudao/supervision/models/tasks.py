"""督查督办 models (`dudao.supervision.models`): Tasks, milestones and feedback."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar, Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from dudao.core.lights import Light
from dudao.core.scoping import ScopedQuerySet, scope_path_of
from dudao.supervision.models._base import TaskCategory
from dudao.supervision.models.sources import TaskSource

# --- Tasks, milestones and feedback ---------------------------------------------------------------


class TaskQuerySet(ScopedQuerySet["SupervisionTask"]):
    """A task is visible in its lead unit's subtree and to the office that issued it."""

    scope_field = "lead_org"

    def visible_to(self, user: Any) -> Self:
        path = scope_path_of(user)
        if path is None or not user.has_business_role:
            return self.none()
        return self.filter(
            models.Q(lead_org__path__startswith=path) | models.Q(issuing_org__path__startswith=path)
        )

    def open(self) -> TaskQuerySet:
        """Issued and not yet closed."""
        return self.exclude(
            status__in=[SupervisionTask.Status.DRAFT, SupervisionTask.Status.CLOSED]
        )


class SupervisionTask(models.Model):
    """One 督查事项 with the four clarities (四个明确): 责任主体, 工作任务, 工作目标, 完成时限."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        ASSIGNED = "assigned", "已交办"
        IN_PROGRESS = "in_progress", "办理中"
        RETURNED = "returned", "销号退回"
        APPLIED = "applied", "申请销号"
        CLOSED = "closed", "已销号"

    class DeadlineMode(models.TextChoices):
        DATE = "date", "指定日期"
        WORKDAY = "workday", "交办后N个工作日"
        CALENDAR_DAY = "calendar_day", "交办后N个自然日"

    class Cycle(models.TextChoices):
        WEEKLY = "weekly", "每周"
        BIWEEKLY = "biweekly", "每两周"
        MONTHLY = "monthly", "每月"

    CYCLE_DAYS: ClassVar[dict[str, int]] = {"weekly": 7, "biweekly": 14, "monthly": 30}

    class Urgency(models.TextChoices):
        URGENT = "urgent", "急件"
        NORMAL = "normal", "非急件"
        HARD = "hard", "难度较大"

    code = models.CharField("编号", max_length=24, unique=True)
    source = models.ForeignKey(
        TaskSource, verbose_name="任务来源", on_delete=models.PROTECT, related_name="tasks"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级任务",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    depth = models.PositiveSmallIntegerField("层级", default=1)
    category = models.ForeignKey(
        TaskCategory,
        verbose_name="任务类别",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    title = models.CharField("任务名称", max_length=120)
    content = models.TextField("工作任务", blank=True)
    goal = models.TextField("工作目标", blank=True)
    goal_project = models.ForeignKey(
        "projects.Project",
        verbose_name="关联项目（目标量化）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_tasks",
    )
    lead_org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="牵头单位（责任主体）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_tasks",
    )
    co_orgs = models.ManyToManyField(
        "orgs.Organisation", verbose_name="配合单位", blank=True, related_name="co_tasks"
    )
    issuing_org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="交办单位",
        on_delete=models.PROTECT,
        related_name="issued_tasks",
    )
    responsible_person = models.CharField("责任人", max_length=40, blank=True)
    lead_leader = models.CharField("包联领导", max_length=40, blank=True)
    deadline_mode = models.CharField(
        "时限方式", max_length=12, choices=DeadlineMode.choices, default=DeadlineMode.DATE
    )
    deadline_amount = models.PositiveIntegerField("时限天数", null=True, blank=True)
    deadline = models.DateField("完成时限", null=True, blank=True)
    deadline_provisional = models.BooleanField("时限为暂定（节假日安排未发布）", default=False)
    deadline_explanation = models.TextField("时限计算说明", blank=True)
    feedback_cycle = models.CharField(
        "反馈周期", max_length=10, choices=Cycle.choices, default=Cycle.MONTHLY
    )
    urgency = models.CharField(
        "紧急程度", max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    weight = models.DecimalField(
        "权重",
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="在上级任务进度汇总中的权重；留空按同级已填权重的平均值计。",
    )
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    assigned_on = models.DateField("交办日期", null=True, blank=True)
    reported_progress = models.DecimalField(
        "填报进度（%）",
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    progress = models.DecimalField(
        "进度（%）", max_digits=5, decimal_places=2, default=Decimal("0")
    )
    progress_basis = models.JSONField("进度计算依据", default=dict, blank=True)
    last_feedback_on = models.DateField("最近反馈日期", null=True, blank=True)
    light = models.CharField("灯色", max_length=8, choices=Light.choices, default=Light.GREEN)
    light_reasons = models.JSONField("亮灯原因", default=list, blank=True)
    light_on = models.DateField("亮灯计算日期", null=True, blank=True)
    return_count = models.PositiveIntegerField("退回次数", default=0)
    last_return_reason = models.TextField("最近退回原因", blank=True)
    extension_count = models.PositiveIntegerField("延期次数", default=0)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    closed_on_time = models.BooleanField("按期销号", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("更新时间", default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects: ClassVar[TaskQuerySet] = TaskQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "督查任务"
        verbose_name_plural = "督查任务"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0, progress__lte=100),
                name="sv_task_progress_range",
                violation_error_message="进度应在 0 到 100 之间。",
            ),
            models.CheckConstraint(
                condition=models.Q(deadline_mode="date") | models.Q(deadline_amount__isnull=False),
                name="sv_task_deadline_amount",
                violation_error_message="按工作日或自然日计算时限时必须填写天数。",
            ),
        ]
        indexes = [
            models.Index(fields=["lead_org", "status", "deadline"], name="sv_task_lead_status"),
            models.Index(fields=["status", "deadline"], name="sv_task_status_deadline"),
            models.Index(fields=["light", "status"], name="sv_task_light_status"),
            models.Index(fields=["source", "parent"], name="sv_task_source_parent"),
            models.Index(fields=["issuing_org", "status"], name="sv_task_issuer_status"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def organisation(self) -> models.Model | None:
        return self.lead_org

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.DRAFT, self.Status.CLOSED)

    @property
    def light_enum(self) -> Light:
        return Light(self.light)

    @property
    def cycle_days(self) -> int:
        return self.CYCLE_DAYS[self.feedback_cycle]


class TaskMilestone(models.Model):
    """节点计划: a dated expected state (季度/月形象进度)."""

    task = models.ForeignKey(
        SupervisionTask, verbose_name="任务", on_delete=models.CASCADE, related_name="milestones"
    )
    due = models.DateField("节点日期")
    description = models.CharField("节点目标", max_length=200)
    expected_progress = models.DecimalField(
        "节点应达进度（%）",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        verbose_name = "节点计划"
        verbose_name_plural = "节点计划"
        ordering = ["due", "id"]

    def __str__(self) -> str:
        return f"{self.due} {self.description}"


class TaskFeedback(models.Model):
    """A progress report on the feedback cycle, or an application for close-out (申请销号)."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", "进展反馈"
        CLOSEOUT = "closeout", "申请销号"

    class Review(models.TextChoices):
        NONE = "", "—"
        PENDING = "pending", "待核查"
        PASSED = "passed", "核查通过"
        RETURNED = "returned", "退回"

    task = models.ForeignKey(
        SupervisionTask, verbose_name="任务", on_delete=models.CASCADE, related_name="feedbacks"
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    progress = models.DecimalField(
        "进度（%）",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    text = models.TextField("进展情况")
    problems = models.TextField("存在问题", blank=True)
    next_steps = models.TextField("下一步措施", blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="填报人", on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("填报时间", default=timezone.now)
    review = models.CharField(
        "核查结果", max_length=10, choices=Review.choices, default=Review.NONE, blank=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核查人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("核查时间", null=True, blank=True)
    review_note = models.TextField("核查意见", blank=True)

    class Meta:
        verbose_name = "任务反馈"
        verbose_name_plural = "任务反馈"
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["task", "submitted_at"], name="sv_feedback_task_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.submitted_at:%Y-%m-%d}"
