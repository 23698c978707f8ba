"""督查任务清单: sources, tasks cascaded down the organisation tree, feedback, close-out,
extensions, lights with their history and escalation, and the in-app notification centre.

A task's data scope is its lead unit's subtree (`lead_org`): a county sees the tasks assigned
to it and to its sub-units; the city's 督查室 (scope: the city's tree) sees what it issued.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar, Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from dudao.core.lights import Light
from dudao.core.scoping import ScopedQuerySet, scope_path_of


class TaskCategory(models.Model):
    """The city's strategic taxonomy of work lines (e.g. "9+2"), configurable data."""

    code = models.CharField("编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=60, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级类别",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort_order = models.IntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "任务类别"
        verbose_name_plural = "任务类别"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class SourceQuerySet(ScopedQuerySet["TaskSource"]):
    scope_field = "issuing_org"


class TaskSource(models.Model):
    """Where tasks come from: a meeting, a document (文号), a leader's 批示, an inspection."""

    class Kind(models.TextChoices):
        MEETING = "meeting", "会议决定"
        DOCUMENT = "document", "文件"
        INSTRUCTION = "instruction", "领导批示"
        INSPECTION = "inspection", "观摩督导发现"
        OTHER = "other", "其他"

    kind = models.CharField("来源类型", max_length=12, choices=Kind.choices)
    title = models.CharField("名称", max_length=120)
    doc_number = models.CharField("文号", max_length=60, blank=True)
    leader_name = models.CharField("批示领导", max_length=40, blank=True)
    source_date = models.DateField("日期")
    text = models.TextField("内容摘要/批示原文", blank=True)
    source_ref = models.CharField(
        "关联记录", max_length=60, blank=True, help_text="如 inspections.finding:12"
    )
    issuing_org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="登记单位",
        on_delete=models.PROTECT,
        related_name="task_sources",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", default=timezone.now, editable=False)

    objects: ClassVar[SourceQuerySet] = SourceQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "任务来源"
        verbose_name_plural = "任务来源"
        ordering = ["-source_date", "-id"]
        indexes = [models.Index(fields=["issuing_org", "source_date"], name="sv_source_org_date")]

    def __str__(self) -> str:
        return self.title

    @property
    def organisation(self) -> models.Model:
        return self.issuing_org


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


def attachment_path(instance: Attachment, filename: str) -> str:
    today = timezone.localdate()
    return f"supervision/{today:%Y/%m}/{instance.sha256[:16]}-{filename}"


class AttachmentQuerySet(ScopedQuerySet["Attachment"]):
    scope_field = "organisation"


class Attachment(models.Model):
    """Evidence or a source document; served only through a scope-checked view."""

    source = models.ForeignKey(
        TaskSource,
        verbose_name="任务来源",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    feedback = models.ForeignKey(
        TaskFeedback,
        verbose_name="反馈",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name="所属单位", on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField("文件", upload_to=attachment_path, max_length=255)
    name = models.CharField("文件名", max_length=120)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    objects: ClassVar[AttachmentQuerySet] = AttachmentQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source__isnull=False, feedback__isnull=True)
                | models.Q(source__isnull=True, feedback__isnull=False),
                name="sv_attachment_one_owner",
                violation_error_message="附件必须属于一个来源或一条反馈。",
            )
        ]

    def __str__(self) -> str:
        return self.name


class TaskExtension(models.Model):
    """延期申请: asked before the deadline, approved (new date) or refused by the issuer."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REFUSED = "refused", "未批准"

    task = models.ForeignKey(
        SupervisionTask, verbose_name="任务", on_delete=models.CASCADE, related_name="extensions"
    )
    reason = models.TextField("延期理由")
    progress_note = models.TextField("目前进展", blank=True)
    old_deadline = models.DateField("原完成时限")
    new_deadline = models.DateField("申请完成时限")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"],
                condition=models.Q(status="pending"),
                name="sv_one_pending_extension",
                violation_error_message="该任务已有待审批的延期申请。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task.code} 延期至 {self.new_deadline}"


# --- Lights: rules as data, history, escalation ------------------------------------------------


class LightRule(models.Model):
    """One banding rule: a metric of the subject and its thresholds (domain-research §4.5 [P]).

    Each active rule of a subject turns one measured value into a colour through
    `dudao.core.lights.band` (yellow from `yellow_from`, red from `red_from`, both inclusive);
    `lower_is_worse` rules (remaining workdays) compare the negated value. `grey_from` makes
    the light grey (unknown) when the value reaches it (cycles without feedback). The subject's
    light is red if any rule says red, else grey if any says grey, else yellow, else green.
    """

    class Subject(models.TextChoices):
        TASK = "task", "督查任务"

    class Metric(models.TextChoices):
        DAYS_OVERDUE = "days_overdue", "逾期自然日数"
        REMAINING_WORKDAYS = "remaining_workdays", "距完成时限剩余工作日"
        PROGRESS_LAG = "progress_lag", "进度落后时间进度（个百分点）"
        MILESTONES_MISSED = "milestones_missed", "未达到的到期节点数"
        CYCLES_WITHOUT_FEEDBACK = "cycles_without_feedback", "未反馈的周期数"

    code = models.CharField("编码", max_length=30, unique=True)
    subject = models.CharField("对象", max_length=10, choices=Subject.choices, default="task")
    label = models.CharField("规则说明", max_length=120)
    metric = models.CharField("度量", max_length=30, choices=Metric.choices)
    yellow_from = models.DecimalField(
        "黄灯阈值", max_digits=8, decimal_places=2, null=True, blank=True
    )
    red_from = models.DecimalField(
        "红灯阈值", max_digits=8, decimal_places=2, null=True, blank=True
    )
    grey_from = models.DecimalField(
        "灰灯阈值", max_digits=8, decimal_places=2, null=True, blank=True
    )
    lower_is_worse = models.BooleanField("数值越小越差", default=False)
    sort_order = models.IntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "亮灯规则"
        verbose_name_plural = "亮灯规则"
        ordering = ["subject", "sort_order", "code"]

    def __str__(self) -> str:
        return self.label


class EscalationRule(models.Model):
    """N consecutive feedback cycles at a light → an escalation item (督办函, 约谈 …)."""

    class Action(models.TextChoices):
        LETTER = "letter", "督办函"
        INTERVIEW = "interview", "约谈"

    code = models.CharField("编码", max_length=30, unique=True)
    label = models.CharField("规则说明", max_length=120)
    light = models.CharField("灯色", max_length=8, choices=Light.choices)
    consecutive = models.PositiveSmallIntegerField("连续周期数", validators=[MinValueValidator(1)])
    action = models.CharField("处置", max_length=12, choices=Action.choices)
    is_active = models.BooleanField("启用", default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "升级督办规则"
        verbose_name_plural = "升级督办规则"
        ordering = ["consecutive", "code"]

    def __str__(self) -> str:
        return self.label


class LightRecord(models.Model):
    """The light of a task in one feedback cycle (the worst seen in that cycle), kept forever."""

    task = models.ForeignKey(
        SupervisionTask, verbose_name="任务", on_delete=models.CASCADE, related_name="light_records"
    )
    cycle_no = models.PositiveIntegerField("反馈周期序号")
    light = models.CharField("灯色", max_length=8, choices=Light.choices)
    first_on = models.DateField("首次计算日期")
    evaluated_on = models.DateField("最近计算日期")
    reasons = models.JSONField("原因", default=list)

    class Meta:
        verbose_name = "亮灯记录"
        verbose_name_plural = "亮灯记录"
        ordering = ["task", "-cycle_no"]
        constraints = [
            models.UniqueConstraint(fields=["task", "cycle_no"], name="sv_light_task_cycle")
        ]

    def __str__(self) -> str:
        return f"{self.task_id} #{self.cycle_no} {self.light}"


class EscalationQuerySet(ScopedQuerySet["EscalationItem"]):
    scope_field = "task__lead_org"


class EscalationItem(models.Model):
    """A 督办函 / 约谈 item raised by an escalation rule (once per rule and streak)."""

    task = models.ForeignKey(
        SupervisionTask, verbose_name="任务", on_delete=models.CASCADE, related_name="escalations"
    )
    rule = models.ForeignKey(
        EscalationRule, verbose_name="规则", on_delete=models.PROTECT, related_name="items"
    )
    action = models.CharField("处置", max_length=12, choices=EscalationRule.Action.choices)
    cycle_no = models.PositiveIntegerField("触发周期序号")
    raised_on = models.DateField("触发日期")
    detail = models.CharField("说明", max_length=200)

    objects: ClassVar[EscalationQuerySet] = EscalationQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "升级督办事项"
        verbose_name_plural = "升级督办事项"
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "rule", "cycle_no"], name="sv_escalation_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.task_id}"


# --- Notification centre -----------------------------------------------------------------------


class Notification(models.Model):
    """One message in a user's in-app notification centre (the daily digest is one per day)."""

    class Kind(models.TextChoices):
        DIGEST = "digest", "每日提醒"
        ASSIGNED = "assigned", "任务交办"
        RETURNED = "returned", "销号退回"
        CLOSED = "closed", "任务销号"
        EXTENSION = "extension", "延期审批"
        APPLIED = "applied", "待核查"
        ESCALATION = "escalation", "升级督办"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    title = models.CharField("标题", max_length=120)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=200, blank=True)
    digest_date = models.DateField("提醒日期", null=True, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "digest_date"],
                condition=models.Q(kind="digest"),
                name="sv_one_digest_per_day",
            )
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="sv_notification_unread")]

    def __str__(self) -> str:
        return self.title
