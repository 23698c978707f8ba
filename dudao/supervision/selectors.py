"""Reads of 督查督办, always from the user's scope (404 outside it)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from dudao.core.lights import Light, severity_order
from dudao.core.numbers import format_percent, round_half_up
from dudao.core.ranks import competition_rank
from dudao.orgs.models import Organisation
from dudao.problems import selectors as problem_selectors
from dudao.supervision.models import (
    Attachment,
    EscalationItem,
    EscalationRule,
    Notification,
    SupervisionTask,
    TaskExtension,
    TaskQuerySet,
    TaskSource,
)
from dudao.supervision.rules import task_days_late, task_overdue

if TYPE_CHECKING:
    from dudao.accounts.models import User

S = SupervisionTask.Status
LIST_FIELDS = (
    "id",
    "code",
    "title",
    "status",
    "deadline",
    "deadline_provisional",
    "light",
    "progress",
    "depth",
    "parent_id",
    "source_id",
    "lead_org_id",
    "lead_org__name",
    "lead_org__short_name",
    "lead_org__kind",
    "source__title",
    "source__kind",
    "extension_count",
    "return_count",
    "category__name",
)


def tasks(actor: User) -> TaskQuerySet:
    return SupervisionTask.objects.visible_to(actor)


def list_tasks(
    actor: User,
    *,
    q: str = "",
    light: str = "",
    status: str = "",
    lead_org: int | None = None,
    source: int | None = None,
) -> QuerySet[SupervisionTask]:
    qs = tasks(actor).select_related("lead_org", "source", "category")
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(code__icontains=q))
    if light:
        qs = qs.filter(light=light).exclude(status__in=[S.DRAFT, S.CLOSED])
    if status == "open":
        qs = qs.open()
    elif status:
        qs = qs.filter(status=status)
    if lead_org:
        org = Organisation.objects.visible_to(actor).filter(pk=lead_org).first()
        qs = qs.filter(lead_org__path__startswith=org.path) if org else qs.none()
    if source:
        qs = qs.filter(source_id=source)
    return qs.only(*LIST_FIELDS).order_by("code")


# The task list's sortable columns (URL key → ORM fields), for dudao.core.listing; "light"
# sorts by severity (`light_rank`, annotated by `with_light_rank`).
TASK_SORTS: dict[str, tuple[str, ...]] = {
    "code": ("code",),
    "title": ("title",),
    "org": ("lead_org__path",),
    "deadline": ("deadline",),
    "progress": ("progress",),
    "status": ("status",),
    "light": ("-light_rank",),
}


def with_light_rank(qs: QuerySet[SupervisionTask]) -> QuerySet[SupervisionTask]:
    return qs.annotate(light_rank=severity_order("light"))


EXPORT_COLUMNS = (
    ("编号", 16, "text"),
    ("任务名称", 36, "text"),
    ("任务来源", 30, "text"),
    ("任务类别", 14, "text"),
    ("牵头单位", 22, "text"),
    ("交办单位", 22, "text"),
    ("工作目标", 40, "text"),
    ("完成时限", 12, "date"),
    ("时限暂定", 8, "text"),
    ("进度（%）", 10, "decimal1"),
    ("状态", 10, "text"),
    ("灯色", 8, "text"),
    ("亮灯原因", 30, "text"),
    ("延期次数", 8, "int"),
    ("退回次数", 8, "int"),
    ("最近反馈", 12, "date"),
)


def export_rows(qs: QuerySet[SupervisionTask]) -> list[tuple[Any, ...]]:
    """One row per task, in EXPORT_COLUMNS order and in the order of ``qs`` (the list's sort);
    progress rounded half-up to one decimal."""
    status_labels = dict(S.choices)
    light_labels = dict(Light.choices)
    rows = (
        qs.select_related(None)
        .values_list(
            "code", "title", "source__title", "category__name", "lead_org__name",
            "issuing_org__name", "goal", "deadline", "deadline_provisional", "progress",
            "status", "light", "light_reasons", "extension_count", "return_count",
            "last_feedback_on",
        )
    )  # fmt: skip
    out = []
    for (code, title, source, category, lead, issuer, goal, deadline, provisional, progress,
         status, light, reasons, extensions, returns, last) in rows:  # fmt: skip
        shown_light = "" if status in (S.DRAFT, S.CLOSED) else light_labels.get(light, light)
        out.append(
            (
                code, title, source, category or "", lead or "", issuer, goal, deadline,
                "是" if provisional else "", round_half_up(progress, 1),
                status_labels.get(status, status), shown_light,
                "；".join(str(r.get("label", "")) for r in reasons or []),
                extensions, returns, last,
            )
        )  # fmt: skip
    return out


def my_tasks(actor: User) -> list[SupervisionTask]:
    """The open tasks of the actor's own unit (and, for an office, of the unit it works for),
    most urgent first."""
    org = actor.organisation
    units = [org.pk]
    if org.parent_id is not None and org.scope_base == Organisation.ScopeBase.PARENT:
        units.append(org.parent_id)
    # The actor's own unit (and, for an office, the unit it works for) lie inside the actor's
    # scope by construction, so the lead unit filter alone is the scope filter here.
    base = SupervisionTask.objects if actor.has_business_role else SupervisionTask.objects.none()
    qs = (
        base.filter(lead_org_id__in=units)
        .exclude(status__in=[S.DRAFT, S.CLOSED])
        .select_related("lead_org", "source")
        .only(*LIST_FIELDS, "last_feedback_on", "feedback_cycle", "light_reasons")
        .order_by("deadline", "code")
    )
    severity = {light.value: light.severity for light in Light}
    return sorted(qs, key=lambda t: (-severity[t.light], t.deadline or date.max, t.code))


def get_task(actor: User, pk: int) -> SupervisionTask:
    return get_object_or_404(
        tasks(actor).select_related(
            "lead_org", "issuing_org", "source", "category", "parent", "goal_project", "created_by"
        ),
        pk=pk,
    )


def task_children(actor: User, task: SupervisionTask) -> QuerySet[SupervisionTask]:
    return tasks(actor).filter(parent=task).select_related("lead_org").order_by("code")


@dataclass(frozen=True)
class TimelineEntry:
    when: Any
    kind: str
    title: str
    text: str
    by: str
    attachments: list[Attachment]
    note: str = ""
    day_only: bool = False


def timeline(task: SupervisionTask) -> list[TimelineEntry]:
    """Everything that happened to the task, newest first (feedback, extensions, lights)."""
    entries: list[TimelineEntry] = []
    feedbacks = task.feedbacks.select_related("submitted_by", "reviewed_by").prefetch_related(
        "attachments"
    )
    for fb in feedbacks:
        title = f"{fb.get_kind_display()}（进度 {round_half_up(fb.progress, 1)}%）"
        entries.append(
            TimelineEntry(
                fb.submitted_at,
                fb.kind,
                title,
                fb.text,
                fb.submitted_by.full_name,
                list(fb.attachments.all()),
                "；".join(
                    x
                    for x in (
                        fb.problems and f"存在问题：{fb.problems}",
                        fb.next_steps and f"下一步：{fb.next_steps}",
                    )
                    if x
                ),
            )
        )
        if fb.reviewed_at and fb.reviewed_by:
            entries.append(
                TimelineEntry(
                    fb.reviewed_at,
                    "review",
                    f"核查：{fb.get_review_display()}",
                    fb.review_note,
                    fb.reviewed_by.full_name,
                    [],
                )
            )
    for ext in task.extensions.select_related("requested_by", "decided_by"):
        entries.append(
            TimelineEntry(
                ext.requested_at,
                "extension",
                f"申请延期至 {ext.new_deadline:%Y-%m-%d}",
                ext.reason,
                ext.requested_by.full_name,
                [],
            )
        )
        if ext.decided_at and ext.decided_by:
            entries.append(
                TimelineEntry(
                    ext.decided_at,
                    "extension_decision",
                    f"延期{ext.get_status_display()}",
                    ext.decision_note,
                    ext.decided_by.full_name,
                    [],
                )
            )
    if task.assigned_on:
        entries.append(
            TimelineEntry(
                timezone.make_aware(datetime.combine(task.assigned_on, time(0))),
                "issue",
                "交办",
                task.deadline_explanation,
                task.issuing_org.name,
                [],
                day_only=True,
            )
        )
    return sorted(entries, key=lambda e: e.when, reverse=True)


def pending_extension(task: SupervisionTask) -> TaskExtension | None:
    return task.extensions.filter(status=TaskExtension.Status.PENDING).first()


def get_extension(actor: User, pk: int) -> TaskExtension:
    return get_object_or_404(
        TaskExtension.objects.filter(task__in=tasks(actor)).select_related("task"), pk=pk
    )


def get_attachment(actor: User, pk: int) -> Attachment:
    """An attachment of a source or task in scope (else 404)."""
    att = get_object_or_404(Attachment.objects.select_related("source", "feedback"), pk=pk)
    if att.feedback_id is not None:
        get_object_or_404(tasks(actor), pk=att.feedback.task_id)  # type: ignore[union-attr]
    else:
        get_object_or_404(sources(actor), pk=att.source_id)
    return att


def sources(actor: User) -> QuerySet[TaskSource]:
    """Sources the actor's office registered in scope, or that feed a task the actor sees."""
    visible = TaskSource.objects.visible_to(actor)
    fed = tasks(actor).values("source_id")
    if not actor.has_business_role:
        return visible
    return TaskSource.objects.filter(Q(pk__in=visible.values("pk")) | Q(pk__in=fed))


def list_sources(actor: User) -> QuerySet[TaskSource]:
    return (
        sources(actor)
        .select_related("issuing_org")
        .annotate(task_count=Count("tasks", filter=Q(tasks__parent__isnull=True)))
        .order_by("-source_date", "-id")
    )


def get_source(actor: User, pk: int) -> TaskSource:
    return get_object_or_404(sources(actor).select_related("issuing_org"), pk=pk)


# --- overview and performance ------------------------------------------------------------------


def overview(actor: User) -> dict[str, Any]:
    """Counts by light (open tasks), by status and by lead unit, from one grouped query."""
    rows = (
        tasks(actor)
        .values_list("lead_org_id", "status", "light")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_light: dict[str, int] = defaultdict(int)
    by_status: dict[str, int] = defaultdict(int)
    per_unit: dict[int, dict[str, int]] = {}
    closed_or_draft = {S.DRAFT.value, S.CLOSED.value}
    for org_id, status, light, n in rows:
        by_status[status] += n
        if status in closed_or_draft or org_id is None:
            continue
        by_light[light] += n
        unit = per_unit.get(org_id)
        if unit is None:
            unit = per_unit[org_id] = dict.fromkeys([*Light.values, "total"], 0)
        unit[light] += n
        unit["total"] += n
    names = {
        pk: short or name
        for pk, short, name in Organisation.objects.filter(pk__in=per_unit).values_list(
            "pk", "short_name", "name"
        )
    }
    ranked = sorted(
        per_unit.items(),
        key=lambda kv: (-kv[1]["red"], -kv[1]["yellow"], -kv[1]["grey"], names.get(kv[0], "")),
    )
    units = [{"name": names.get(org_id, ""), **counts} for org_id, counts in ranked]
    escalations = (
        EscalationItem.objects.visible_to(actor)
        .select_related("task", "task__lead_org")
        .order_by("-raised_on", "-id")[:20]
    )
    order = (Light.RED, Light.YELLOW, Light.GREY, Light.GREEN)
    return {
        "by_light": [(light, by_light.get(light.value, 0)) for light in order],
        "by_status": [(label, by_status.get(value, 0)) for value, label in S.choices],
        "units": units,
        "open_total": sum(by_light.values()),
        "escalations": list(escalations),
    }


@dataclass
class UnitPerformance:
    org_id: int
    name: str
    due: int = 0  # closed + overdue open: tasks whose outcome against the deadline is known
    on_time: int = 0
    closed_late: int = 0
    overdue_open: int = 0
    returned: int = 0
    extended: int = 0
    days_late_total: int = 0
    late_count: int = 0
    problems_due: int = 0
    problems_on_time: int = 0
    rank: int = 0

    @property
    def overdue(self) -> int:
        return self.closed_late + self.overdue_open

    @property
    def on_time_rate(self) -> Decimal | None:
        return Decimal(self.on_time) / Decimal(self.due) if self.due else None

    @property
    def on_time_rate_text(self) -> str:
        rate = self.on_time_rate
        return "—" if rate is None else format_percent(rate, 1)

    @property
    def average_days_late(self) -> Decimal | None:
        if not self.late_count:
            return None
        return round_half_up(Decimal(self.days_late_total) / Decimal(self.late_count), 1)

    @property
    def problems_rate_text(self) -> str:
        if not self.problems_due:
            return "—"
        return format_percent(Decimal(self.problems_on_time) / Decimal(self.problems_due), 1)


def unit_performance(actor: User, today: date | None = None) -> list[UnitPerformance]:
    """Per lead unit: on time / overdue / returned / extended, problems closed on time, average
    days late; ranked by on-time rate (competition ranks 1-2-2-4; units with nothing due last).
    """
    today = today or timezone.localdate()
    units: dict[int, UnitPerformance] = {}

    def unit(org_id: int, name: str) -> UnitPerformance:
        return units.setdefault(org_id, UnitPerformance(org_id, name))

    rows = (
        tasks(actor)
        .exclude(status=S.DRAFT)
        .filter(lead_org__isnull=False)
        .values_list(
            "lead_org_id",
            "lead_org__name",
            "status",
            "deadline",
            "closed_at",
            "closed_on_time",
            "return_count",
            "extension_count",
        )
    )
    for org_id, name, status, deadline, closed_at, on_time, returns, extensions in rows:
        u = unit(org_id, name)
        u.returned += 1 if returns else 0
        u.extended += 1 if extensions else 0
        if status == S.CLOSED:
            u.due += 1
            if on_time:
                u.on_time += 1
            else:
                u.closed_late += 1
                u.late_count += 1
                u.days_late_total += task_days_late(deadline, timezone.localdate(closed_at))
        elif task_overdue(deadline, today):
            u.due += 1
            u.overdue_open += 1
            u.late_count += 1
            u.days_late_total += task_days_late(deadline, today)
    # Problems: closed on time and overdue by the ledger's own (workday-aware) rule.
    for stats in problem_selectors.unit_statistics(actor, today=today):
        u = unit(stats.org_id, stats.name)
        u.problems_due += stats.closed + stats.overdue
        u.problems_on_time += stats.closed_on_time
    rated = {k: u.on_time_rate for k, u in units.items() if u.on_time_rate is not None}
    ranks = competition_rank({k: v * 100 for k, v in rated.items()}, decimals=1)
    last = len(rated) + 1
    for key, u in units.items():
        u.rank = ranks.get(key, last)
    return sorted(units.values(), key=lambda u: (u.rank, u.name))


def notifications(actor: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=actor).order_by("-created_at", "-id")


def unread_count(actor: User) -> int:
    if not getattr(actor, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=actor, read_at__isnull=True).count()


def light_counts_by_task_tree(items: list[SupervisionTask]) -> dict[int, list[SupervisionTask]]:
    """Children of each listed task id (for the tree display)."""
    children: dict[int, list[SupervisionTask]] = defaultdict(list)
    for t in items:
        if t.parent_id is not None:
            children[t.parent_id].append(t)
    return children


def escalation_counts(actor: User, first: date, last: date) -> dict[str, int]:
    """督办函 / 约谈 raised in [first, last] in the actor's scope, by action ("letter",
    "interview"); actions with none are 0."""
    counts = dict.fromkeys(EscalationRule.Action.values, 0)
    rows = (
        EscalationItem.objects.visible_to(actor)
        .filter(raised_on__gte=first, raised_on__lte=last)
        .values_list("action")
        .annotate(n=Count("id"))
        .order_by()
    )
    for action, n in rows:
        counts[action] = n
    return counts


@dataclass
class ChaseRow:
    """One lead unit's open tasks that need chasing: overdue today, and escalated."""

    org_id: int
    name: str
    path: str
    open: int
    overdue: int
    escalated: int


def chase_counts(actor: User, today: date | None = None) -> list[ChaseRow]:
    """Per lead unit in the actor's scope: open tasks (issued, not closed), those overdue today
    (by `rules.task_overdue`: past the deadline) and those with an escalation raised. Units with
    something overdue or escalated come first. One grouped query."""
    today = today or timezone.localdate()
    rows = (
        tasks(actor)
        .exclude(status__in=[S.DRAFT, S.CLOSED])
        .filter(lead_org__isnull=False)
        .order_by()
        .values("lead_org_id", "lead_org__short_name", "lead_org__name", "lead_org__path")
        .annotate(
            n_open=Count("id", distinct=True),
            n_overdue=Count("id", filter=Q(deadline__lt=today), distinct=True),
            n_escalated=Count("id", filter=Q(escalations__isnull=False), distinct=True),
        )
    )
    result = [
        ChaseRow(
            r["lead_org_id"],
            r["lead_org__short_name"] or r["lead_org__name"],
            r["lead_org__path"],
            r["n_open"],
            r["n_overdue"],
            r["n_escalated"],
        )
        for r in rows
    ]
    return sorted(result, key=lambda r: (-r.overdue, -r.escalated, -r.open, r.path))


@dataclass
class ChaseSummary:
    """`chase_counts` for the actor's scope or one unit's subtree, with the totals."""

    rows: list[ChaseRow]
    open: int
    overdue: int
    escalated: int


def chase_summary(
    actor: User, *, under: Organisation | None = None, today: date | None = None
) -> ChaseSummary:
    """The chase rows (only those under ``under``'s subtree when given) and their totals."""
    rows = chase_counts(actor, today)
    if under is not None:
        rows = [r for r in rows if r.path.startswith(under.path)]
    return ChaseSummary(
        rows,
        sum(r.open for r in rows),
        sum(r.overdue for r in rows),
        sum(r.escalated for r in rows),
    )


@dataclass(frozen=True)
class InstructionRow:
    """One 领导批示 on an object, with the task it became (the link only when in scope)."""

    leader: str
    on: date
    text: str
    task: SupervisionTask | None
    task_visible: bool


def instructions_on(actor: User, ref: str) -> list[InstructionRow]:
    """The 批示 written on the object `ref` (``app.model:pk``), newest first. The caller's page
    has already checked the object is in the actor's scope; a task outside it shows its state
    without a link."""
    sources = list(
        TaskSource.objects.filter(kind=TaskSource.Kind.INSTRUCTION, source_ref=ref)
        .prefetch_related(Prefetch("tasks", SupervisionTask.objects.filter(parent=None)))
        .order_by("-source_date", "-id")
    )
    task_ids = [t.pk for s in sources for t in s.tasks.all()]
    seen = set(tasks(actor).filter(pk__in=task_ids).values_list("pk", flat=True))
    rows = []
    for s in sources:
        task = next(iter(s.tasks.all()), None)
        rows.append(
            InstructionRow(
                s.leader_name, s.source_date, s.text, task, task is not None and task.pk in seen
            )
        )
    return rows
