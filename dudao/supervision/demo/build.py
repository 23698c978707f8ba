"""督查督办 demo (`dudao.supervision.demo`): Building sources, tasks and feedback."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from dudao.accounts.models import User
from dudao.demo.registry import DemoContext
from dudao.orgs.models import Organisation
from dudao.supervision.demo._base import SPEECH, S
from dudao.supervision.demo.data import STATES, Priority
from dudao.supervision.models import (
    SupervisionTask,
    TaskExtension,
    TaskFeedback,
    TaskSource,
)
from dudao.workdays.calendar import format_day

# --- Building sources, tasks and feedback ---------------------------------------------------------


class _Builder:
    def __init__(self, ctx: DemoContext, today: date) -> None:
        self.ctx = ctx
        self.today = today
        self.assigned = today - timedelta(days=63)
        self.counter = 0
        self.tasks: list[SupervisionTask] = []
        self.feedbacks: list[TaskFeedback] = []
        self.extensions: list[TaskExtension] = []

    def code(self) -> str:
        self.counter += 1
        return f"DC-{self.assigned.year}-{self.counter:04d}"


# (key, kind, title, days before today, extra fields)
SOURCES: list[tuple[str, str, str, int, dict[str, str]]] = [
    (
        "meeting",
        TaskSource.Kind.MEETING,
        "全市重大项目和产业集聚区建设观摩督导总结会议（演示数据）",
        65,
        {"text": SPEECH},
    ),
    (
        "instruction",
        TaskSource.Kind.INSTRUCTION,
        "关于加强已签约项目跟踪问效的批示（演示数据）",
        64,
        {
            "leader_name": "吴市长",
            "text": "要加强对已签约项目的跟踪问效，确保早落地、早见效。"
            "请督查室列入督查任务清单，按月通报。",
        },
    ),
    (
        "document",
        TaskSource.Kind.DOCUMENT,
        "关于实行重点工作督查任务清单化管理的通知（演示数据）",
        64,
        {
            "doc_number": "示政办〔2026〕18号",
            "text": "各县（市、区）人民政府，市人民政府各部门："
            "为狠抓落实、强化保障，现将重点工作督查任务清单印发给你们，请认真抓好落实。",
        },
    ),
]


def _sources(office: Organisation, supervisor: User, today: date) -> dict[str, TaskSource]:
    return {
        key: TaskSource.objects.create(
            kind=kind,
            title=title,
            source_date=today - timedelta(days=days),
            issuing_org=office,
            created_by=supervisor,
            **extra,
        )
        for key, kind, title, days, extra in SOURCES
    }


def _child_fields(state: str, b: _Builder, parent_deadline: date) -> dict[str, object]:
    """Fields of a child task in `state` (deadline, status, progress, feedback dates)."""
    t = b.today
    span = (parent_deadline - b.assigned).days
    elapsed = Decimal((t - b.assigned).days * 100) / Decimal(span)
    on_track = min(Decimal(95), (elapsed + 8).quantize(Decimal("1")))
    table: dict[str, dict[str, object]] = {
        "closed_on_time": {
            "deadline": t - timedelta(days=8),
            "status": S.CLOSED,
            "reported": Decimal(100),
            "closed": t - timedelta(days=12),
            "on_time": True,
            "fb": t - timedelta(days=14),
        },
        "closed_late": {
            "deadline": t - timedelta(days=20),
            "status": S.CLOSED,
            "reported": Decimal(100),
            "closed": t - timedelta(days=11),
            "on_time": False,
            "fb": t - timedelta(days=13),
        },
        "applied": {
            "deadline": t + timedelta(days=20),
            "status": S.APPLIED,
            "reported": Decimal(100),
            "fb": t - timedelta(days=1),
        },
        "returned": {
            "deadline": t + timedelta(days=25),
            "status": S.RETURNED,
            "reported": Decimal(90),
            "fb": t - timedelta(days=6),
        },
        "on_track": {
            "deadline": parent_deadline,
            "status": S.IN_PROGRESS,
            "reported": on_track,
            "fb": t - timedelta(days=3),
        },
        "behind": {
            "deadline": parent_deadline,
            "status": S.IN_PROGRESS,
            "reported": max(Decimal(0), (elapsed - 35).quantize(Decimal("1"))),
            "fb": t - timedelta(days=4),
        },
        "due_soon": {
            "deadline": t + timedelta(days=2),
            "status": S.IN_PROGRESS,
            "reported": Decimal(85),
            "fb": t - timedelta(days=2),
        },
        "overdue": {
            "deadline": t - timedelta(days=5),
            "status": S.IN_PROGRESS,
            "reported": Decimal(60),
            "fb": t - timedelta(days=6),
        },
        "long_overdue": {
            "deadline": t - timedelta(days=26),
            "status": S.IN_PROGRESS,
            "reported": Decimal(40),
            "fb": t - timedelta(days=1),
        },
        "silent": {
            "deadline": parent_deadline,
            "status": S.ASSIGNED,
            "reported": Decimal(0),
            "fb": None,
        },
        "extended": {
            "deadline": parent_deadline,
            "status": S.IN_PROGRESS,
            "reported": on_track,
            "fb": t - timedelta(days=5),
            "old": t + timedelta(days=5),
        },
        "ext_pending": {
            "deadline": t + timedelta(days=8),
            "status": S.IN_PROGRESS,
            "reported": Decimal(55),
            "fb": t - timedelta(days=5),
        },
    }
    return table[state]


def _at(day: date, hour: int) -> datetime:
    """A local time on `day`."""
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _task(b: _Builder, **fields: object) -> SupervisionTask:
    task = SupervisionTask(
        assigned_on=b.assigned,
        created_by=b.ctx.users["demo_supervisor"],
        deadline_mode=SupervisionTask.DeadlineMode.DATE,
        **fields,
    )
    task.deadline_explanation = f"指定完成时限：{format_day(task.deadline)}。"  # type: ignore[arg-type]
    return task


def _build_children(
    b: _Builder,
    *,
    parent: SupervisionTask,
    prio: Priority,
    counties: list[Organisation],
    offset: int,
    issuer: Organisation,
) -> list[tuple[SupervisionTask, str]]:
    out = []
    parent_deadline = parent.deadline or b.today
    for k, county in enumerate(counties):
        state = STATES[(offset + k) % len(STATES)]
        f = _child_fields(state, b, parent_deadline)
        weight = None
        if prio.weights == "all" or (prio.weights == "some" and k % 3):
            weight = Decimal(1 + (k % 3))
        task = _task(
            b,
            code=f"{parent.code}-{k + 1:02d}",
            source=parent.source,
            parent=parent,
            depth=parent.depth + 1,
            category=parent.category,
            title=f"{county.display_name}：{prio.title}",
            content=prio.content,
            goal=prio.child_goal,
            lead_org=county,
            issuing_org=issuer,
            responsible_person="",
            lead_leader="",
            deadline=f["deadline"],
            feedback_cycle="weekly" if state in ("silent", "long_overdue") else prio.cycle,
            urgency="normal",
            weight=weight,
            status=f["status"],
            reported_progress=f["reported"],
            progress=f["reported"],
            progress_basis={"method": "reported", "note": "责任单位填报的进度。"},
            last_feedback_on=f["fb"],
            return_count=1 if state == "returned" else 0,
            last_return_reason="佐证材料不足：缺少项目竣工验收报告，请补充后重新申请。"
            if state == "returned"
            else "",
            extension_count=1 if state == "extended" else 0,
            closed_at=_at(f["closed"], 10) if "closed" in f else None,  # type: ignore[arg-type]
            closed_on_time=f.get("on_time"),
        )
        out.append((task, state))
    return out


def _feedback_rows(b: _Builder, task: SupervisionTask, state: str, users: dict[str, User]) -> None:
    reporter = users["demo_reporter"]
    if task.last_feedback_on is None:
        return
    at = _at(task.last_feedback_on, 16)
    first = at - timedelta(days=21)
    b.feedbacks.append(
        TaskFeedback(
            task=task,
            kind="progress",
            progress=max(Decimal(0), task.reported_progress - 20),
            text="已召开专题推进会，明确责任分工和时间节点。",
            submitted_by=reporter,
            submitted_at=first,
        )
    )
    if state in ("closed_on_time", "closed_late", "applied", "returned"):
        review = {"applied": "pending", "returned": "returned"}.get(state, "passed")
        fb = TaskFeedback(
            task=task,
            kind="closeout",
            progress=Decimal(100),
            text="各项工作已按目标完成，佐证材料附后。",
            submitted_by=reporter,
            submitted_at=at,
            review=review,
        )
        if review != "pending":
            fb.reviewed_by = users["demo_supervisor"]
            fb.reviewed_at = at + timedelta(days=2)
            fb.review_note = task.last_return_reason or "经核查，目标已完成，予以销号。"
        b.feedbacks.append(fb)
    else:
        b.feedbacks.append(
            TaskFeedback(
                task=task,
                kind="progress",
                progress=task.reported_progress,
                text="按计划推进，本期完成主要节点工作。",
                problems="要素保障仍有缺口。" if state in ("behind", "overdue") else "",
                next_steps="加快推进，确保按期完成。",
                submitted_by=reporter,
                submitted_at=at,
            )
        )
    if state in ("extended", "ext_pending"):
        ext = TaskExtension(
            task=task,
            reason="受征地手续影响，需顺延完成时限。",
            progress_note="已完成主体工作。",
            old_deadline=task.deadline if state == "ext_pending" else b.today + timedelta(days=5),
            new_deadline=(task.deadline or b.today) + timedelta(days=20)
            if state == "ext_pending"
            else task.deadline,
            requested_by=reporter,
            requested_at=at,
        )  # type: ignore[misc]
        if state == "extended":
            ext.status = "approved"
            ext.decided_by = users["demo_supervisor"]
            ext.decided_at = at + timedelta(days=1)
            ext.decision_note = "同意延期。"
            task.deadline_explanation = (
                f"经批准延期：原完成时限{format_day(ext.old_deadline)}，"
                f"延期至{format_day(ext.new_deadline)}。"
            )
        b.extensions.append(ext)
