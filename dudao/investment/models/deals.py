"""Deals from lead to production, their stages, signing events and timeline."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from dudao.core.scoping import ScopedQuerySet
from dudao.investment.models.chains import (
    IndustryChain,
)

WAN = "万元"


class Stage(models.TextChoices):
    """The canonical pipeline (§5.1), in order; 终止 is terminal and outside the order."""

    LEAD = "lead", "线索"
    NEGOTIATING = "negotiating", "洽谈"
    SIGNED = "signed", "签约"
    REGISTERED = "registered", "注册"
    APPROVED = "approved", "供地/立项"
    STARTED = "started", "开工"
    COMPLETED = "completed", "竣工"
    PRODUCING = "producing", "投产"
    AT_CAPACITY = "at_capacity", "达产"
    TERMINATED = "terminated", "终止"


# The pipeline order (终止 excluded); index = position.
PIPELINE: tuple[str, ...] = (
    Stage.LEAD,
    Stage.NEGOTIATING,
    Stage.SIGNED,
    Stage.REGISTERED,
    Stage.APPROVED,
    Stage.STARTED,
    Stage.COMPLETED,
    Stage.PRODUCING,
    Stage.AT_CAPACITY,
)
# The date field each stage sets when it is reached.
STAGE_DATE_FIELD: dict[str, str] = {
    Stage.LEAD: "lead_on",
    Stage.NEGOTIATING: "negotiating_on",
    Stage.SIGNED: "signed_on",
    Stage.REGISTERED: "registered_on",
    Stage.APPROVED: "approved_on",
    Stage.STARTED: "started_on",
    Stage.COMPLETED: "completed_on",
    Stage.PRODUCING: "producing_on",
    Stage.AT_CAPACITY: "at_capacity_on",
    Stage.TERMINATED: "terminated_on",
}


class SigningEvent(models.Model):
    """A 招商活动, a 三个一批 period, a provincial platform signing: where a deal was signed."""

    class Kind(models.TextChoices):
        EVENT = "event", "招商活动"
        THREE_BATCH = "three_batch", "三个一批"
        PROVINCE = "province", "省级平台"
        OTHER = "other", "其他"

    name = models.CharField("签约活动", max_length=80)
    kind = models.CharField("类型", max_length=12, choices=Kind.choices, default=Kind.EVENT)
    held_on = models.DateField("举办日期")
    organiser = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="主办单位",
        on_delete=models.PROTECT,
        related_name="signing_events",
    )

    objects: ClassVar[ScopedQuerySet[SigningEvent]] = ScopedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "签约活动"
        verbose_name_plural = "签约活动"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.held_on:%Y-%m-%d}）"


class DealQuerySet(ScopedQuerySet["Deal"]):
    scope_field = "responsible_org"


class Deal(models.Model):
    """One 招商项目 from 线索 to 达产 (§8.4). Amounts in 万元, land in 亩."""

    class Origin(models.TextChoices):
        PROVINCE = "province", "本省"
        OUT_OF_PROVINCE = "out_of_province", "省外"
        FOREIGN = "foreign", "境外"

    class SigningKind(models.TextChoices):
        NEW = "new", "新签项目"
        UPGRADE = "upgrade", "升格项目"
        CAPITAL_INCREASE = "capital_increase", "增资项目"
        OWNER_CHANGE = "owner_change", "更换业主"

    class Agreement(models.TextChoices):
        FRAMEWORK = "framework", "框架协议"
        FORMAL = "formal", "正式合同"

    class Pollution(models.TextChoices):
        LOW = "low", "轻污染"
        MEDIUM = "medium", "一般"
        HIGH = "high", "高污染"

    class Tech(models.TextChoices):
        HIGH = "high", "高新技术"
        MEDIUM = "medium", "一般技术"
        LOW = "low", "低技术"

    class ZoneLevel(models.TextChoices):
        NATIONAL = "national", "国家级"
        PROVINCIAL = "provincial", "省级"
        OTHER = "other", "其他"

    class Screening(models.TextChoices):
        NONE = "", "未核查"
        PASSED = "passed", "符合门槛"
        FAILED = "failed", "不符合门槛"
        OVERRIDDEN = "overridden", "不符合门槛（已特批）"

    class TerminationReason(models.TextChoices):
        INVESTOR = "investor", "投资方原因"
        POLICY = "policy", "政策原因"
        OTHER = "other", "其他"

    code = models.CharField("项目编号", max_length=20, unique=True)
    name = models.CharField("项目名称", max_length=120)
    investor = models.CharField("投资方", max_length=120)
    investor_origin = models.CharField(
        "资金来源", max_length=16, choices=Origin.choices, default=Origin.OUT_OF_PROVINCE
    )
    is_fortune500 = models.BooleanField("世界500强或中国500强", default=False)
    county = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="所在县（市、区）",
        on_delete=models.PROTECT,
        related_name="county_deals",
    )
    responsible_org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="责任单位",
        on_delete=models.PROTECT,
        related_name="responsible_deals",
    )
    leader = models.CharField("包联领导", max_length=40, blank=True)
    chain = models.ForeignKey(
        IndustryChain,
        verbose_name="产业链",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deals",
    )
    chain_node = models.ForeignKey(
        "investment.ChainNode",
        verbose_name="产业链节点",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deals",
    )
    industry_code = models.CharField("国民经济行业代码", max_length=4, blank=True)
    zone_level = models.CharField(
        "落地园区级别", max_length=12, choices=ZoneLevel.choices, default=ZoneLevel.OTHER
    )
    stage = models.CharField("阶段", max_length=12, choices=Stage.choices, default=Stage.LEAD)
    lead_on = models.DateField("线索日期")
    negotiating_on = models.DateField("洽谈日期", null=True, blank=True)
    signed_on = models.DateField("签约日期", null=True, blank=True)
    registered_on = models.DateField("注册日期", null=True, blank=True)
    approved_on = models.DateField("供地/立项日期", null=True, blank=True)
    started_on = models.DateField("开工日期", null=True, blank=True)
    completed_on = models.DateField("竣工日期", null=True, blank=True)
    producing_on = models.DateField("投产日期", null=True, blank=True)
    at_capacity_on = models.DateField("达产日期", null=True, blank=True)
    terminated_on = models.DateField("终止日期", null=True, blank=True)
    planned_production_on = models.DateField("计划投产日期", null=True, blank=True)
    # §5.2: the first signing event counts; the kind decides what is counted.
    signing_event = models.ForeignKey(
        SigningEvent,
        verbose_name="首次签约活动",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deals",
    )
    first_signed_on = models.DateField(
        "首次签约日期",
        null=True,
        blank=True,
        help_text="签约只在首次签约时统计一次；退回后再次签约不重复统计。",
    )
    signing_kind = models.CharField(
        "签约类型", max_length=20, choices=SigningKind.choices, default=SigningKind.NEW
    )
    agreement_type = models.CharField(
        "协议类型", max_length=12, choices=Agreement.choices, blank=True
    )
    contract_investment = models.DecimalField(
        "合同投资额（万元）",
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        help_text="增资项目填增资额。",
    )
    fixed_asset_investment = models.DecimalField(
        "固定资产投资（万元）", max_digits=14, decimal_places=2, default=Decimal("0")
    )
    out_of_province_amount = models.DecimalField(
        "省外资金（万元）", max_digits=14, decimal_places=2, default=Decimal("0")
    )
    foreign_amount = models.DecimalField(
        "外资（万元）", max_digits=14, decimal_places=2, default=Decimal("0")
    )
    land_mu = models.DecimalField(
        "用地面积（亩）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    expected_output = models.DecimalField(
        "达产后年产值（万元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    expected_tax = models.DecimalField(
        "达产后年税收（万元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    expected_roi = models.DecimalField(
        "投资回报率（%）", max_digits=7, decimal_places=2, null=True, blank=True
    )
    plot_ratio = models.DecimalField(
        "容积率", max_digits=6, decimal_places=2, null=True, blank=True
    )
    building_coverage = models.DecimalField(
        "建筑系数（%）", max_digits=6, decimal_places=2, null=True, blank=True
    )
    energy_intensity = models.DecimalField(
        "单位产值能耗（吨标准煤/万元）", max_digits=10, decimal_places=4, null=True, blank=True
    )
    rd_intensity = models.DecimalField(
        "研发投入强度（%）", max_digits=6, decimal_places=2, null=True, blank=True
    )
    pollution_class = models.CharField(
        "污染等级", max_length=8, choices=Pollution.choices, default=Pollution.LOW
    )
    tech_level = models.CharField(
        "技术水平", max_length=8, choices=Tech.choices, default=Tech.MEDIUM
    )
    uscc = models.CharField("项目公司统一社会信用代码", max_length=18, blank=True)
    project_code = models.CharField("投资项目代码", max_length=24, blank=True)
    screening = models.CharField(
        "准入核查", max_length=12, choices=Screening.choices, blank=True, default=""
    )
    override_reason = models.TextField("特批理由", blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="特批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    termination_reason = models.CharField(
        "终止原因", max_length=12, choices=TerminationReason.choices, blank=True
    )
    termination_note = models.TextField("终止说明", blank=True)
    external_ref = models.CharField(
        "原台账编号",
        max_length=40,
        null=True,
        blank=True,
        unique=True,
        help_text="从既有招商台账导入时的原编号（同一文件重复导入不会重复登记）。",
    )
    project = models.OneToOneField(
        "projects.Project",
        verbose_name="对应重大项目",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="investment_deal",
    )
    supervision_task = models.OneToOneField(
        "supervision.SupervisionTask",
        verbose_name="督办任务",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="investment_deal",
        help_text="推进停滞时移交督查督办形成的任务（一个招商项目只移交一次）。",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects: ClassVar[DealQuerySet] = DealQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "招商项目"
        verbose_name_plural = "招商项目"
        ordering = ["-lead_on", "-id"]
        indexes = [
            models.Index(fields=["county", "stage"], name="deal_county_stage"),
            models.Index(fields=["chain", "stage"], name="deal_chain_stage"),
            models.Index(fields=["stage", "first_signed_on"], name="deal_stage_signed"),
            models.Index(fields=["responsible_org", "stage"], name="deal_resp_stage"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contract_investment__gte=0), name="deal_contract_nonneg"
            ),
            models.CheckConstraint(
                condition=models.Q(fixed_asset_investment__gte=0), name="deal_fixed_nonneg"
            ),
            models.CheckConstraint(
                condition=models.Q(land_mu__isnull=True) | models.Q(land_mu__gt=0),
                name="deal_land_positive",
                violation_error_message="用地面积必须大于 0 亩。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_terminated(self) -> bool:
        return self.stage == Stage.TERMINATED

    def stage_label(self) -> str:
        return str(Stage(self.stage).label)


class DealEvent(models.Model):
    """One step of a deal's timeline: a stage change (dated, with its evidence), a screening,
    an override, a promotion, a hand-over to supervision."""

    class Action(models.TextChoices):
        CREATE = "create", "登记"
        IMPORT = "import", "导入"
        ADVANCE = "advance", "推进"
        BACK = "back", "退回"
        TERMINATE = "terminate", "终止"
        SCREEN = "screen", "准入核查"
        OVERRIDE = "override", "特批"
        PROMOTE = "promote", "转入重大项目库"
        SEND = "send", "移交督办"

    deal = models.ForeignKey(
        Deal, verbose_name="招商项目", on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField("事项", max_length=10, choices=Action.choices)
    from_stage = models.CharField("原阶段", max_length=12, blank=True)
    to_stage = models.CharField("新阶段", max_length=12, blank=True)
    happened_on = models.DateField("发生日期")
    evidence = models.CharField(
        "佐证",
        max_length=200,
        blank=True,
        help_text="协议、营业执照、供地批复、开工报告等的文号或名称。",
    )
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
        verbose_name = "招商项目办理记录"
        verbose_name_plural = "招商项目办理记录"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["deal", "created_at"], name="deal_event_time")]

    def __str__(self) -> str:
        return f"{self.deal_id} {self.get_action_display()}"

    @property
    def from_label(self) -> str:
        return str(Stage(self.from_stage).label) if self.from_stage else ""

    @property
    def to_label(self) -> str:
        return str(Stage(self.to_stage).label) if self.to_stage else ""
