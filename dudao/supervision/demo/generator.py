"""督查督办 demo (`dudao.supervision.demo`): The generator."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from dudao.demo.registry import DemoContext, generator
from dudao.orgs.models import Organisation
from dudao.supervision import jobs
from dudao.supervision.demo._base import EVIDENCE_PDF, SPEECH, S
from dudao.supervision.demo.build import _build_children, _Builder, _feedback_rows, _sources, _task
from dudao.supervision.demo.data import PRIORITIES, Priority
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

# --- The generator --------------------------------------------------------------------------------


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
