"""Demo tasks of the fictional 示范市: the speech's priorities as a real 督查任务清单.

Three sources (the 观摩督导总结会议, a 批示 on following up signed deals, the 清单化管理
notice), twelve city tasks — 集聚区提质转型 (融合/创新/绿色/转型), 项目建设 (三季度开工,
竣工投产), 招商引资 (产业图谱, 跟踪问效) and the four 抓落实 — each cascaded to every county,
one county splitting further to its 发改委 and park; children in every state, and the lights
computed week by week so the history and the escalation items are real. At province scale the
same tasks repeat over monthly 推进会 sources until about 20,000 tasks exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from dudao.accounts.models import User
from dudao.demo.registry import DemoContext, generator
from dudao.orgs.models import Organisation
from dudao.supervision import jobs
from dudao.supervision.evaluation import ChildShare, rollup
from dudao.supervision.models import (
    Attachment,
    SupervisionTask,
    TaskCategory,
    TaskExtension,
    TaskFeedback,
    TaskMilestone,
    TaskSource,
)
from dudao.workdays.calendar import format_day

S = SupervisionTask.Status
SPEECH = (
    "对于事关全市改革发展的重点工作、重点项目、重大决策，要实行督查任务清单化管理，层层分解任务、"
    "层层传导压力、层层压实责任，做到责任主体明确、工作任务明确、工作目标明确、完成时限明确。"
)
EVIDENCE_PDF = b"%PDF-1.4\n% demo evidence\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass(frozen=True)
class Priority:
    category: str
    title: str
    content: str
    goal: str
    lead: str  # organisation code
    child_goal: str
    weights: str  # "all" | "some" | "none"
    cycle: str = "monthly"
    source: str = "meeting"


PRIORITIES = [
    Priority(
        "JJQ",
        "强化融合发展",
        "推进产城融合、产业融合、产链融合，加快生产生活服务平台建设和区内村庄迁并改造，发展金融保险、现代物流等生产性服务业。",
        "各产业集聚区形成主导产业链条图，生产性服务业项目至少落地1个。",
        "SFS-FGW",
        "本县产业集聚区完成产城融合规划修编，落地生产性服务业项目1个以上。",
        "all",
    ),
    Priority(
        "JJQ",
        "强化创新发展",
        "打通“四个通道”推动科研成果就地转化，推进“互联网+”、大数据等业态创新，探索组建园区开发公司。",
        "每个产业集聚区建成至少1个研发平台，组建或引进园区开发公司。",
        "SFS-FGW",
        "建成研发平台1个，形成园区开发公司组建方案。",
        "some",
    ),
    Priority(
        "JJQ",
        "强化绿色发展",
        "完善产业集聚区规划环评，严格产业和环保准入门槛，推进生产生活服务设施共建共享。",
        "规划环评全部完成修编，新入驻项目环保准入审查率100%。",
        "SFS-FGW",
        "完成本县产业集聚区规划环评修编，建立准入审查台账。",
        "none",
    ),
    Priority(
        "JJQ",
        "强化转型发展",
        "推动产业集聚区向高新区、经开区转型，积极申报国家级开发区。",
        "形成转型发展方案，符合条件的集聚区启动国家级开发区申报。",
        "SFS-FGW",
        "报送本县集聚区转型发展方案。",
        "all",
    ),
    Priority(
        "XMJS",
        "三季度新开工一批项目",
        "严格落实责任、严控时间节点，对存在的困难和问题逐项排查化解，确保三季度一批新项目开工建设。",
        "三季度计划新开工项目全部开工。",
        "SFS-FGW",
        "本县三季度计划新开工项目全部开工，逐项销号。",
        "all",
        "weekly",
    ),
    Priority(
        "XMJS",
        "在建项目竣工投产一批",
        "倒排工期，加快在建项目建设，确保三季度一批在建项目竣工投产。",
        "年度计划竣工项目按期竣工投产。",
        "SFS-FGW",
        "本县计划竣工项目按节点竣工投产。",
        "some",
    ),
    Priority(
        "ZSYZ",
        "制定主导、新兴、特色三类产业图谱",
        "围绕未来重点发展的主导、新兴、特色三类产业制定产业图谱，明确招商具体目标和方向。",
        "发布全市三类产业图谱，各县（市、区）形成招商目标企业清单。",
        "SFS-SWJ",
        "形成本县招商目标企业清单（不少于20家）。",
        "all",
    ),
    Priority(
        "ZSYZ",
        "加强已签约项目跟踪问效",
        "对已签约项目逐个建立跟踪台账，确保早落地、早见效。",
        "已签约项目开工率不低于80%。",
        "SFS-SWJ",
        "本县已签约项目逐个明确落地时间表，开工率不低于80%。",
        "all",
        "monthly",
        "instruction",
    ),
    Priority(
        "ZLS",
        "积极作为抓落实",
        "保持抓工作的韧劲、解难题的钻劲、干事业的拼劲，着力解决发展中的突出问题。",
        "梳理发展中的突出问题清单并逐项明确解决措施。",
        "SFS-FGW",
        "报送本县突出问题清单和解决措施。",
        "none",
        "monthly",
        "document",
    ),
    Priority(
        "ZLS",
        "盯紧目标抓落实",
        "对照省市年初确定的各项工作目标，逐一分类排队、查找薄弱环节、明确时间节点、制定改进措施。",
        "年度目标任务逐项分类排队并按季度通报。",
        "SFS-TJJ",
        "本县年度目标逐项分类排队，按季度报送完成情况。",
        "all",
        "monthly",
        "document",
    ),
    Priority(
        "ZLS",
        "强化责任抓落实",
        "实行督查任务清单化管理，层层分解任务、层层传导压力、层层压实责任。",
        "重点工作任务清单化管理覆盖率100%。",
        "SFS-FGW",
        "本县重点工作全部纳入任务清单，四个明确。",
        "some",
        "monthly",
        "document",
    ),
    Priority(
        "ZLS",
        "转变作风抓落实",
        "增强抓落实的使命担当、时间观念和效率意识，解决不想为、不会为、不敢为等问题。",
        "建立作风问题台账并按月销号。",
        "SFS-FGW",
        "建立本县作风问题台账，按月销号。",
        "none",
        "monthly",
        "document",
    ),
]

# Child states, spread so that every parent shows several and every state appears.
STATES = [
    "closed_on_time",
    "behind",
    "applied",
    "on_track",
    "overdue",
    "returned",
    "silent",
    "due_soon",
    "extended",
    "closed_late",
    "ext_pending",
    "long_overdue",
]


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


@generator(order=40, name="督查任务")
def supervision(ctx: DemoContext) -> None:
    today = timezone.localdate()
    office = ctx.orgs["SFS-DCS"]
    b = _Builder(ctx, today)
    counties = list(Organisation.objects.filter(kind=Organisation.Kind.COUNTY_GOV).order_by("path"))
    city_counties = [c for c in counties if c.code.startswith("SFS-")]
    categories = {c.code: c for c in TaskCategory.objects.all()}
    sources = _sources(office, ctx.users["demo_supervisor"], today)
    rounds = 1
    if ctx.is_province:
        per_round = len(PRIORITIES) * (1 + len(counties))
        rounds = max(1, -(-20_000 // per_round))
    parents: list[tuple[SupervisionTask, Priority, list[Organisation]]] = []
    for r in range(rounds):
        round_sources = sources
        if r > 0:
            meeting = TaskSource.objects.create(
                kind=TaskSource.Kind.MEETING,
                title=f"第{r}次重点工作推进会（演示数据）",
                source_date=today - timedelta(days=65),
                text=SPEECH,
                issuing_org=office,
                created_by=ctx.users["demo_supervisor"],
            )
            round_sources = {"meeting": meeting, "instruction": meeting, "document": meeting}
        for p, prio in enumerate(PRIORITIES):
            parent = _task(
                b,
                code=b.code(),
                source=round_sources[prio.source],
                depth=1,
                category=categories[prio.category],
                title=prio.title,
                content=prio.content,
                goal=prio.goal,
                lead_org=ctx.orgs[prio.lead],
                issuing_org=office,
                responsible_person="分管副主任",
                lead_leader="吴市长",
                deadline=today + timedelta(days=90 + 7 * (p % 4)),
                feedback_cycle="monthly",
                urgency="hard" if p % 5 == 0 else "normal",
                status=S.IN_PROGRESS,
                last_feedback_on=today - timedelta(days=5),
            )
            parents.append((parent, prio, counties if ctx.is_province else city_counties))
    SupervisionTask.objects.bulk_create([p for p, _, _ in parents], batch_size=1000)
    # A draft the 督查室 has not been able to issue: the goal (a clarity) is still missing.
    SupervisionTask.objects.create(
        code=b.code(),
        source=sources["document"],
        title="研究制定重点工作督查通报制度",
        content="建立月度督查通报制度。",
        lead_org=ctx.orgs["SFS-FGW"],
        issuing_org=office,
        created_by=ctx.users["demo_supervisor"],
        deadline=today + timedelta(days=30),
    )
    children: list[tuple[SupervisionTask, str]] = []
    for n, (parent, prio, units) in enumerate(parents):
        children.extend(
            _build_children(b, parent=parent, prio=prio, counties=units, offset=n, issuer=office)
        )
    SupervisionTask.objects.bulk_create([c for c, _ in children], batch_size=1000)
    users = ctx.users
    for task, state in children:
        _feedback_rows(b, task, state, users)
    # 明湖区 splits its 三季度开工 task further to its 发改委 and its park (层层分解).
    if not ctx.is_province:
        _grandchildren(ctx, b, children)
    TaskFeedback.objects.bulk_create(b.feedbacks, batch_size=1000)
    TaskExtension.objects.bulk_create(b.extensions, batch_size=1000)
    SupervisionTask.objects.bulk_update(
        [c for c, s in children if s == "extended"], ["deadline_explanation"], batch_size=1000
    )
    if not ctx.is_province:
        _evidence(b)
        TaskMilestone.objects.bulk_create(
            TaskMilestone(
                task=c,
                due=today - timedelta(days=14),
                description="完成年度任务过半",
                expected_progress=Decimal(50),
            )
            for c, s in children
            if s == "behind"
        )
    _rollups([p for p, _, _ in parents])
    # Lights week by week (history per cycle, escalation items), then today's digests.
    days = (
        [today]
        if ctx.is_province
        else [today - timedelta(days=d) for d in (49, 42, 35, 28, 21, 14, 7, 0)]
    )
    for day in days:
        jobs.recompute_lights(day)
    if not ctx.is_province:
        jobs.send_digests(today)
    ctx.counts["supervision_tasks"] = SupervisionTask.objects.count()


def _grandchildren(
    ctx: DemoContext, b: _Builder, children: list[tuple[SupervisionTask, str]]
) -> None:
    mhq = ctx.orgs["SFS-MHQ"]
    target = next(
        (
            c
            for c, s in children
            if c.lead_org_id == mhq.pk
            and c.status == S.IN_PROGRESS
            and c.deadline
            and c.deadline > b.today + timedelta(days=30)
        ),
        None,
    )
    if target is None:
        return
    rows = []
    for n, (code, progress, weight) in enumerate(
        (("SFS-MHQ-FGJ", Decimal(70), Decimal(2)), ("SFS-P01", Decimal(40), None)), start=1
    ):
        unit = ctx.orgs[code]
        rows.append(
            _task(
                b,
                code=f"{target.code}-{n:02d}",
                source=target.source,
                parent=target,
                depth=target.depth + 1,
                category=target.category,
                title=f"{unit.display_name}：{target.title.split('：')[-1]}",
                content=target.content,
                goal=target.goal,
                lead_org=unit,
                issuing_org=mhq,
                deadline=target.deadline,
                feedback_cycle="weekly",
                status=S.IN_PROGRESS,
                reported_progress=progress,
                progress=progress,
                weight=weight,
                progress_basis={"method": "reported", "note": "责任单位填报的进度。"},
                last_feedback_on=b.today - timedelta(days=2),
            )
        )
    SupervisionTask.objects.bulk_create(rows)
    target.progress, target.progress_basis = rollup(
        [ChildShare(r.pk, r.code, r.title, r.progress, r.weight) for r in rows]
    )
    target.save(update_fields=["progress", "progress_basis"])


def _evidence(b: _Builder) -> None:
    """One small PDF per close-out application (the rule: no 销号 without evidence)."""
    for fb in b.feedbacks:
        if fb.kind != "closeout":
            continue
        att = Attachment(
            feedback=fb,
            organisation=fb.task.lead_org,
            name="完成情况佐证材料.pdf",
            content_type="application/pdf",
            size=len(EVIDENCE_PDF),
            sha256="demo" + f"{fb.pk:060d}",
            uploaded_by=fb.submitted_by,
        )
        att.file.save("evidence.pdf", ContentFile(EVIDENCE_PDF), save=False)
        att.save()


def _rollups(parents: list[SupervisionTask]) -> None:
    """Each parent's % from its children, with the explanation (the service's formula)."""
    ids = [p.pk for p in parents]
    by_parent: dict[int, list[ChildShare]] = {}
    for row in (
        SupervisionTask.objects.filter(parent_id__in=ids)
        .order_by("code")
        .values_list("parent_id", "pk", "code", "title", "status", "progress", "weight")
    ):
        parent_id, pk, code, title, status, progress, weight = row
        share = ChildShare(
            pk, code, title, Decimal(100) if status == S.CLOSED else progress, weight
        )
        by_parent.setdefault(parent_id, []).append(share)
    for p in parents:
        p.progress, p.progress_basis = rollup(by_parent.get(p.pk, []))
    SupervisionTask.objects.bulk_update(parents, ["progress", "progress_basis"], batch_size=1000)
