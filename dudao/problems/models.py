"""The problem ledger (问题台账): every difficulty found by a tour, an inspection, a monthly
report or an audit, with the unit that must fix it and a deadline, until it is verified closed.
A problem's data scope is its responsible unit's subtree (the issuing office sees its tree)."""

from __future__ import annotations

from typing import Any, ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from dudao.core.lights import Light
from dudao.core.scoping import ScopedQuerySet, scope_path_of
from dudao.workdays.calendar import DeadlineKind


class ProblemCategory(models.Model):
    """用地/资金/审批/拆迁/环评/水电气 … with a default time limit (SLA) in days."""

    code = models.CharField("编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=40, unique=True)
    sla_days = models.PositiveIntegerField("默认整改时限（天）", default=30)
    sla_unit = models.CharField(
        "时限单位",
        max_length=12,
        choices=DeadlineKind.choices,
        default=DeadlineKind.CALENDAR_DAY,
        help_text="工作日：跳过节假日和周末（含调休）；自然日：期满日为休息日时顺延。",
    )
    sort_order = models.IntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "问题类别"
        verbose_name_plural = "问题类别"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def sla_label(self) -> str:
        return f"{self.sla_days}个{self.get_sla_unit_display()}"


class ProblemQuerySet(ScopedQuerySet["Problem"]):
    """A problem is visible in its responsible unit's subtree and to its issuing office."""

    scope_field = "responsible_org"

    def visible_to(self, user: Any) -> Self:
        path = scope_path_of(user)
        if path is None or not user.has_business_role:
            return self.none()
        from dudao.orgs.models import Organisation

        outside = Organisation.objects.exclude(path__startswith=path)
        if not outside.exists():
            return self.all()  # the whole tree is in scope (e.g. the province office)
        # The ids first (one indexed query): the planner then sees two plain IN lists.
        orgs = list(Organisation.objects.filter(path__startswith=path).values_list("pk", flat=True))
        return self.filter(Q(responsible_org_id__in=orgs) | Q(issuing_org_id__in=orgs))


# The records other modules register problems from (`source_ref` = "<kind>:<id>").
SOURCE_REF_LABELS = {
    "inspections.finding": "观摩发现问题",
    "projects.monthlyreport": "项目月报",
    "targets.row": "年度目标",
    "enterprises.demand": "企业诉求",
}


class Problem(models.Model):
    class Source(models.TextChoices):
        INSPECTION = "inspection", "观摩"
        SUPERVISION = "supervision", "督查"
        MONTHLY_REPORT = "monthly_report", "月报"
        AUDIT = "audit", "审计"
        ENVIRONMENT = "environment", "环保督察"
        OTHER = "other", "其他"

    class Severity(models.TextChoices):
        GENERAL = "general", "一般"
        SERIOUS = "serious", "较重"
        CRITICAL = "critical", "严重"

    class Status(models.TextChoices):
        ASSIGNED = "assigned", "交办"
        FIXING = "fixing", "整改中"
        APPLIED = "applied", "申请销号"
        VERIFYING = "verifying", "核查"
        CLOSED = "closed", "已销号"

    code = models.CharField("问题编号", max_length=20, unique=True)
    source = models.CharField("问题来源", max_length=20, choices=Source.choices)
    source_ref = models.CharField(
        "来源记录", max_length=60, blank=True, help_text="如 inspections.finding:12"
    )
    category = models.ForeignKey(
        ProblemCategory, verbose_name="问题类别", on_delete=models.PROTECT, related_name="problems"
    )
    title = models.CharField("问题", max_length=120)
    description = models.TextField("问题描述", blank=True)
    severity = models.CharField(
        "严重程度", max_length=10, choices=Severity.choices, default=Severity.GENERAL
    )
    county = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="所在县（市、区）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="county_problems",
    )
    responsible_org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="责任单位",
        on_delete=models.PROTECT,
        related_name="responsible_problems",
    )
    issuing_org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="交办单位",
        on_delete=models.PROTECT,
        related_name="issued_problems",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name="关联项目",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    park = models.ForeignKey(
        "parks.Park",
        verbose_name="关联园区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    deadline = models.DateField("整改时限")
    deadline_provisional = models.BooleanField(
        "整改时限为暂定",
        default=False,
        help_text="时限落在节假日安排尚未发布的年份，暂按周一至周五计算；发布并录入后自动重算。",
    )
    deadline_start = models.DateField(
        "时限起算日",
        null=True,
        blank=True,
        help_text="按问题类别的默认时限计算时的起算日；手工指定整改时限时为空。",
    )
    deadline_amount = models.PositiveIntegerField(
        "时限天数", null=True, blank=True, help_text="按问题类别的默认时限计算时的天数。"
    )
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.ASSIGNED
    )
    deadline_unit = models.CharField(
        "时限单位",
        max_length=12,
        choices=DeadlineKind.choices,
        default=DeadlineKind.CALENDAR_DAY,
        help_text="计算逾期天数所用的单位，登记时取自问题类别。",
    )
    found_on = models.DateField("发现日期", null=True, blank=True)
    measures = models.TextField("整改措施", blank=True)
    responsible_person = models.CharField("责任人", max_length=40, blank=True)
    legacy_code = models.CharField(
        "原台账编号",
        max_length=40,
        null=True,
        blank=True,
        unique=True,
        help_text="从既有台账导入时的原编号（同一文件重复导入不会重复登记）。",
    )
    fixing_org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="申请销号单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fixed_problems",
        help_text="最近一次申请销号的单位；核查必须由它和责任单位以外的单位进行。",
    )
    applied_at = models.DateTimeField("申请销号时间", null=True, blank=True)
    verifier_org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="核查单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="verified_problems",
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核查人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_on_time = models.BooleanField("按期销号", null=True, blank=True)
    days_late = models.PositiveIntegerField(
        "销号时逾期天数", null=True, blank=True, help_text="按问题的时限单位计算。"
    )
    return_count = models.PositiveIntegerField("退回次数", default=0)
    reopen_count = models.PositiveIntegerField("重新打开次数", default=0)
    light = models.CharField(
        "灯色", max_length=8, choices=Light.choices, default=Light.GREEN, editable=False
    )
    light_reasons = models.JSONField("亮灯原因", default=list, blank=True, editable=False)
    light_on = models.DateField("亮灯计算日期", null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects: ClassVar[ProblemQuerySet] = ProblemQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "问题"
        verbose_name_plural = "问题台账"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["responsible_org", "status"], name="problem_resp_status"),
            models.Index(fields=["status", "deadline"], name="problem_status_deadline"),
            models.Index(fields=["issuing_org", "status"], name="problem_issuer_status"),
            models.Index(fields=["county", "status"], name="problem_county_status"),
            models.Index(fields=["category", "status"], name="problem_category_status"),
            models.Index(fields=["source", "status"], name="problem_source_status"),
            models.Index(fields=["severity", "status"], name="problem_severity_status"),
            models.Index(fields=["project"], name="problem_project"),
            models.Index(fields=["park"], name="problem_park"),
            models.Index(fields=["-created_at", "-id"], name="problem_created"),
            models.Index(fields=["light", "status"], name="problem_light_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="closed") | models.Q(closed_at__isnull=False),
                name="problem_closed_has_date",
                violation_error_message="已销号的问题必须有销号时间。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def source_ref_display(self) -> str:
        """The source record as a reader names it: "观摩发现问题 第12号", not the stored
        "inspections.finding:12" (free text, e.g. an imported ledger's reference, as typed)."""
        kind, sep, pk = self.source_ref.partition(":")
        if sep and pk.isdigit() and kind in SOURCE_REF_LABELS:
            return f"{SOURCE_REF_LABELS[kind]} 第{pk}号"
        return self.source_ref

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    @property
    def deadline_is_provisional(self) -> bool:
        """Shown as 暂定 (pages, API, exports): an open problem whose time limit relies on a
        year whose holidays are not published yet (a closed one was judged on its date)."""
        return self.deadline_provisional and self.is_open

    @property
    def light_label(self) -> str:
        """红灯/黄灯/绿灯/灰灯 for an open problem, "" for a closed one (it has no light)."""
        return Light(self.light).label if self.is_open else ""


class ProblemLightRule(models.Model):
    """One banding rule of the ledger's lights: a metric of a problem and its thresholds.

    Applied by the platform's one rule engine (`dudao.core.lights.evaluate`, the same as for
    督查任务): yellow from `yellow_from`, red from `red_from` (both inclusive); `lower_is_worse`
    rules (remaining workdays) compare the negated value. A problem's light is red if any rule
    says red, else grey if any says grey, else yellow, else green. Closed problems have none.
    """

    class Metric(models.TextChoices):
        DAYS_OVERDUE = "days_overdue", "逾期天数（按问题的时限单位）"
        REMAINING_WORKDAYS = "remaining_workdays", "距整改时限剩余工作日"
        RETURN_COUNT = "return_count", "退回整改次数"
        REOPEN_COUNT = "reopen_count", "重新打开次数"

    code = models.CharField("编码", max_length=30, unique=True)
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
        verbose_name = "问题亮灯规则"
        verbose_name_plural = "问题亮灯规则"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.label


class ProblemLightRecord(models.Model):
    """One change of a problem's light (kept forever): the new colour, from which day, why."""

    problem = models.ForeignKey(
        "Problem", verbose_name="问题", on_delete=models.CASCADE, related_name="light_records"
    )
    light = models.CharField("灯色", max_length=8, choices=Light.choices)
    previous = models.CharField("原灯色", max_length=8, choices=Light.choices, blank=True)
    since = models.DateField("起始日期")
    reasons = models.JSONField("原因", default=list)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "问题亮灯记录"
        verbose_name_plural = "问题亮灯记录"
        ordering = ["problem", "-since", "-id"]
        indexes = [models.Index(fields=["problem", "since"], name="problem_light_since")]

    def __str__(self) -> str:
        return f"{self.problem_id} {self.since} {self.light}"


class ProblemEvidence(models.Model):
    """A before/after photo or document (整改前后对比照片、文件) of a problem."""

    class Stage(models.TextChoices):
        BEFORE = "before", "整改前"
        AFTER = "after", "整改后"

    class Kind(models.TextChoices):
        PHOTO = "photo", "照片"
        DOCUMENT = "document", "文件"

    problem = models.ForeignKey(
        Problem, verbose_name="问题", on_delete=models.PROTECT, related_name="evidence"
    )
    stage = models.CharField("阶段", max_length=8, choices=Stage.choices)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    file = models.FileField("文件", upload_to="problems/%Y/%m/", max_length=200)
    original_name = models.CharField("文件名", max_length=120)
    content_type = models.CharField("内容类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    note = models.CharField("说明", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="上传单位",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("上传时间", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["problem", "stage"], name="evidence_problem_stage")]

    def __str__(self) -> str:
        return self.original_name


class ProblemEvent(models.Model):
    """One step of a problem's timeline (交办, 开始整改, 进展, 申请销号, 核查, 退回, 销号 …)."""

    class Action(models.TextChoices):
        CREATE = "create", "交办"
        IMPORT = "import", "导入"
        UPDATE = "update", "修改"
        START = "start", "签收并开始整改"
        PROGRESS = "progress", "报送整改进展"
        EVIDENCE = "evidence", "上传佐证材料"
        APPLY = "apply", "申请销号"
        VERIFY = "verify", "开始核查"
        RETURN = "return", "退回整改"
        CLOSE = "close", "核查通过，销号"
        REOPEN = "reopen", "重新打开"

    problem = models.ForeignKey(
        Problem, verbose_name="问题", on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField("事项", max_length=10, choices=Action.choices)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12, blank=True)
    note = models.TextField("说明", blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="操作单位",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("时间", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "问题处理记录"
        verbose_name_plural = "问题处理记录"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["problem", "created_at"], name="problem_event_time")]

    def __str__(self) -> str:
        return f"{self.problem_id} {self.get_action_display()}"

    @property
    def from_label(self) -> str:
        return Problem.Status(self.from_status).label if self.from_status else ""

    @property
    def to_label(self) -> str:
        return Problem.Status(self.to_status).label if self.to_status else ""
