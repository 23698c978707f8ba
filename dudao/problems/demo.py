"""Demo problems of the fictional 示范市: found on the demo projects by tours (观摩), the 督查室,
monthly reports, audits and environmental inspections, in every status of the workflow, some
overdue, some returned or reopened, with their timelines and before/after photos.

City scale: about 280 problems (a bit under half of the 600 projects have one). Province scale
(benchmarks): 50,000 problems spread over the province's 20,000 projects, bulk-inserted.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from dudao.accounts.models import User
from dudao.accounts.roles import Role
from dudao.demo.registry import DemoContext, generator
from dudao.orgs.models import Organisation
from dudao.problems.models import Problem, ProblemCategory, ProblemEvent, ProblemEvidence
from dudao.problems.rules import lateness
from dudao.projects.models import Project
from dudao.workdays.calendar import DeadlineKind, Overrides, add_natural_days, add_workdays
from dudao.workdays.selectors import load_overrides

S = Problem.Status
A = ProblemEvent.Action

# (category code, source, title template, severity weights general/serious/critical)
FINDINGS = [
    ("land", "inspection", "{p}用地指标未落实，影响开工", (4, 4, 2)),
    ("land", "supervision", "{p}土地征收补偿未到位", (5, 4, 1)),
    ("funding", "monthly_report", "{p}本月完成投资低于序时进度", (5, 4, 1)),
    ("funding", "audit", "{p}专项债资金拨付滞后", (4, 4, 2)),
    ("approval", "inspection", "{p}施工许可证办理滞后", (6, 3, 1)),
    ("approval", "supervision", "{p}规划许可手续未完善", (6, 3, 1)),
    ("demolition", "supervision", "{p}红线内房屋拆迁未完成", (3, 5, 2)),
    ("eia", "environment", "{p}环评批复前擅自开工", (2, 4, 4)),
    ("eia", "environment", "{p}施工扬尘防治措施不到位", (5, 4, 1)),
    ("utilities", "inspection", "{p}供电线路未接入，影响设备调试", (5, 4, 1)),
    ("utilities", "monthly_report", "{p}天然气管道未通，影响投产", (5, 4, 1)),
    ("progress", "inspection", "{p}形象进度滞后于计划节点", (5, 4, 1)),
    ("quality", "supervision", "{p}施工现场安全防护不到位", (4, 4, 2)),
]
# Share of each status among demo problems (every status present).
STATUS_WEIGHTS = [
    (S.ASSIGNED, 14),
    (S.FIXING, 34),
    (S.APPLIED, 9),
    (S.VERIFYING, 5),
    (S.CLOSED, 38),
]
MEASURES = "1. 明确责任人和时间节点；2. 协调有关部门现场办公；3. 每周报送整改进展。"


def _photos() -> tuple[str, str]:
    """Two small demo photos stored once and shared by the demo evidence rows."""
    from PIL import Image, ImageDraw

    names = []
    for label, colour in (("before", (176, 96, 64)), ("after", (72, 140, 88))):
        img = Image.new("RGB", (320, 200), colour)
        ImageDraw.Draw(img).rectangle((20, 20, 300, 180), outline=(255, 255, 255), width=4)
        out = io.BytesIO()
        img.save(out, "JPEG", quality=80)
        names.append(
            default_storage.save(f"problems/demo/{label}.jpg", ContentFile(out.getvalue()))
        )
    return names[0], names[1]


class _Calendar:
    """Deadlines and lateness memoised by date (50,000 problems share a few hundred dates)."""

    def __init__(self, overrides: Overrides) -> None:
        self.overrides = overrides
        self.deadlines: dict[tuple[dt.date, int], dt.date] = {}
        self.late: dict[tuple[dt.date, dt.date, str], int] = {}

    def deadline(self, start: dt.date, category: ProblemCategory) -> dt.date:
        key = (start, category.pk)
        if key not in self.deadlines:
            add = add_workdays if category.sla_unit == DeadlineKind.WORKDAY else add_natural_days
            self.deadlines[key] = add(start, category.sla_days, self.overrides)
        return self.deadlines[key]

    def lateness(self, deadline: dt.date, on: dt.date, unit: str) -> int:
        key = (deadline, on, unit)
        if key not in self.late:
            self.late[key] = lateness(deadline, on, unit, self.overrides)
        return self.late[key]


def _categories() -> dict[str, ProblemCategory]:
    """The default categories (a flushed database, `demo --reset`, has lost the migration's)."""
    from importlib import import_module

    defaults = import_module("dudao.problems.migrations.0002_default_categories").DEFAULTS
    workday = import_module("dudao.problems.migrations.0004_category_units").WORKDAY_CATEGORIES
    for code, name, days, order in defaults:
        ProblemCategory.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "sla_days": days,
                "sort_order": order,
                "sla_unit": DeadlineKind.WORKDAY if code in workday else DeadlineKind.CALENDAR_DAY,
            },
        )
    return {c.code: c for c in ProblemCategory.objects.all()}


@dataclass
class _Plan:
    """What the timeline of one demo problem must show."""

    status: str
    returns: int
    reopens: int
    created: dt.datetime
    closed_at: dt.datetime | None


class _Builder:
    """Draws the demo problems (the shared RNG keeps them reproducible per seed)."""

    def __init__(self, ctx: DemoContext, supervisor: User, judge: User) -> None:
        self.rng = ctx.rng
        self.supervisor, self.judge = supervisor, judge
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.calendar = _Calendar(load_overrides(range(self.today.year - 2, self.today.year + 2)))
        self.categories = _categories()
        self.city_path = supervisor.organisation.scope_path
        # The county's 发改委 (the demo reporters' unit) is responsible for some problems.
        self.drc_of = {
            o.parent_id: o
            for o in Organisation.objects.filter(code__endswith="-FGJ").only(
                "pk", "parent_id", "path"
            )
        }
        self.numbers: dict[int, int] = {}

    def responsible(self, project: Project) -> Organisation:
        park = project.park
        if park is not None and park.organisation is not None and self.rng.random() < 0.6:
            return park.organisation
        if self.rng.random() < 0.5 and project.county_id in self.drc_of:
            return self.drc_of[project.county_id]
        return project.county

    def code(self, created: dt.datetime) -> str:
        self.numbers[created.year] = self.numbers.get(created.year, 0) + 1
        return f"WT{created.year}-{self.numbers[created.year]:05d}"

    def problem(self, project: Project) -> tuple[Problem, _Plan]:
        rng = self.rng
        code, source, template, sev_weights = FINDINGS[rng.randrange(len(FINDINGS))]
        category = self.categories[code]
        severity = rng.choices(Problem.Severity.values, weights=sev_weights)[0]
        status = rng.choices([s for s, _ in STATUS_WEIGHTS], [w for _, w in STATUS_WEIGHTS])[0]
        created = self.now - dt.timedelta(
            days=int(rng.triangular(2, 200, 15)), hours=rng.randrange(0, 9)
        )
        created_day = timezone.localdate(created)
        deadline = self.calendar.deadline(created_day, category)
        closed_at, days_late = None, None
        if status == S.CLOSED:
            span = max(2, int((deadline - created_day).days * 1.3))
            closed_at = min(
                created + dt.timedelta(days=rng.randrange(1, span), hours=2),
                self.now - dt.timedelta(hours=1),
            )
            days_late = self.calendar.lateness(
                deadline, timezone.localdate(closed_at), category.sla_unit
            )
        returns = 1 if status in (S.FIXING, S.CLOSED) and rng.random() < 0.12 else 0
        reopens = 1 if status == S.FIXING and not returns and rng.random() < 0.05 else 0
        if reopens and deadline < self.today:
            deadline = self.today + dt.timedelta(days=rng.randrange(5, 30))
        issuer = self.judge if source == "inspection" else self.supervisor
        # Other cities' problems (province scale) are issued by their own city government.
        issuing_org = (
            issuer.organisation
            if project.county.path.startswith(self.city_path)
            else project.county.parent
        )
        responsible = self.responsible(project)
        applied = status in (S.APPLIED, S.VERIFYING, S.CLOSED)
        verified = status in (S.VERIFYING, S.CLOSED)
        problem = Problem(
            code=self.code(created),
            source=source,
            source_ref="2026年第三季度重大项目观摩" if source == "inspection" else "",
            category=category,
            title=template.format(p=project.name)[:120],
            description=f"{project.name}：{template.format(p='')}。（演示数据）",
            severity=severity,
            county=project.county,
            responsible_org=responsible,
            issuing_org=issuing_org,
            project=project,
            park=project.park,
            deadline=deadline,
            deadline_unit=category.sla_unit,
            found_on=created_day,
            measures=MEASURES if status != S.ASSIGNED else "",
            fixing_org=responsible if applied else None,
            applied_at=(closed_at or self.now) - dt.timedelta(days=1) if applied else None,
            verifier_org=self.supervisor.organisation if verified else None,
            verified_by=self.supervisor if verified else None,
            status=status,
            closed_at=closed_at,
            closed_on_time=None if days_late is None else days_late == 0,
            days_late=days_late,
            return_count=returns,
            reopen_count=reopens,
            created_by=issuer,
            created_at=created,
            updated_at=closed_at or self.now,
        )
        return problem, _Plan(status, returns, reopens, created, closed_at)


@generator(order=40, name="问题台账")
def problems(ctx: DemoContext) -> None:
    supervisor = ctx.users.get("demo_supervisor")
    judge = ctx.users.get("demo_judge")
    projects = list(
        Project.objects.select_related(
            "county", "county__parent", "park", "park__organisation"
        ).order_by("pk")
    )
    if supervisor is None or judge is None or not projects:
        return
    builder = _Builder(ctx, supervisor, judge)
    rows: list[Problem] = []
    plans: list[_Plan] = []
    for n in range(50_000 if ctx.is_province else 280):
        project = projects[(n * 7 + ctx.rng.randrange(len(projects))) % len(projects)]
        problem, plan = builder.problem(project)
        rows.append(problem)
        plans.append(plan)
    Problem.objects.bulk_create(rows, batch_size=2000)
    if not ctx.is_province:
        reporters = [u for u in ctx.users.values() if u.has_role(Role.REPORTER, Role.REVIEWER)]
        saved = list(Problem.objects.order_by("pk").select_related("responsible_org"))
        timeline = _Timeline(supervisor, reporters, _photos())
        for problem, plan in zip(saved, plans, strict=True):
            timeline.add(problem, plan)
        ProblemEvent.objects.bulk_create(timeline.events, batch_size=2000)
        ProblemEvidence.objects.bulk_create(timeline.evidence, batch_size=2000)
    ctx.counts["problems"] = len(rows)


class _Timeline:
    """The events and before/after photos of each demo problem, consistent with its status."""

    def __init__(self, supervisor: User, reporters: list[User], photos: tuple[str, str]) -> None:
        self.supervisor, self.reporters, self.photos = supervisor, reporters, photos
        self.events: list[ProblemEvent] = []
        self.evidence: list[ProblemEvidence] = []
        self.now = timezone.now()

    def _event(
        self, problem: Problem, at: dt.datetime, step: tuple[str, str, str, User | None, str]
    ) -> None:
        action, before, after, who, note = step
        self.events.append(
            ProblemEvent(
                problem=problem,
                action=action,
                from_status=before,
                to_status=after,
                note=note,
                actor=who,
                organisation=who.organisation if who else problem.responsible_org,
                created_at=at,
            )
        )

    def add(self, problem: Problem, plan: _Plan) -> None:
        sup = self.supervisor
        fixer = next(
            (
                u
                for u in self.reporters
                if problem.responsible_org.path.startswith(u.organisation.scope_path)
            ),
            None,
        )
        issuer = problem.created_by
        steps: list[tuple[str, str, str, User | None, str]] = [
            (A.CREATE, "", S.ASSIGNED, issuer, f"交办{problem.responsible_org.name}")
        ]
        if plan.status != S.ASSIGNED:
            steps.append((A.START, S.ASSIGNED, S.FIXING, fixer, "已签收，制定整改方案"))
            steps.append((A.PROGRESS, S.FIXING, S.FIXING, fixer, "已协调相关部门现场办公"))
            if plan.returns:
                steps.append((A.APPLY, S.FIXING, S.APPLIED, fixer, "已完成整改"))
                steps.append((A.RETURN, S.APPLIED, S.FIXING, sup, "整改后照片不能反映现场，请补充"))
        reached = plan.status != S.FIXING or plan.reopens
        if plan.status != S.ASSIGNED and reached:
            steps.append((A.APPLY, S.FIXING, S.APPLIED, fixer, "整改完成，附整改后照片"))
        if plan.status in (S.VERIFYING, S.CLOSED) or plan.reopens:
            steps.append((A.VERIFY, S.APPLIED, S.VERIFYING, sup, "安排现场核查"))
        if plan.status == S.CLOSED or plan.reopens:
            steps.append((A.CLOSE, S.VERIFYING, S.CLOSED, sup, "现场核查属实，同意销号"))
        if plan.reopens:
            steps.append((A.REOPEN, S.CLOSED, S.FIXING, sup, "群众再次反映，重新打开"))
        gap = ((plan.closed_at or self.now) - plan.created) / (len(steps) + 1)
        last_apply = max((i for i, s in enumerate(steps) if s[0] == A.APPLY), default=-1)
        for i, step in enumerate(steps):
            at = plan.created + gap * i
            self._event(problem, at, step)
            if i == 0:
                self.evidence.append(_photo(problem, "before", self.photos[0], issuer, at))
            if i == last_apply:
                self.evidence.append(_photo(problem, "after", self.photos[1], fixer, at))


def _photo(
    problem: Problem, stage: str, name: str, who: User | None, at: dt.datetime
) -> ProblemEvidence:
    return ProblemEvidence(
        problem=problem,
        stage=stage,
        kind=ProblemEvidence.Kind.PHOTO,
        file=name,
        original_name=f"{'整改前' if stage == 'before' else '整改后'}现场照片.jpg",
        content_type="image/jpeg",
        size=default_storage.size(name),
        uploaded_by=who or problem.created_by,
        organisation=who.organisation if who else problem.responsible_org,
        created_at=at,
    )
