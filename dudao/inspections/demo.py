"""Demo tours of the fictional 示范市: two past tours (scored, published, findings in the
ledger) and an upcoming one with its schedule. Three groups led by the 书记, the 市长 and a
主任 (fictional names), each visiting three or four counties. Written in bulk for speed; the
results are computed by the same aggregation the service uses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from dudao.accounts.models import User
from dudao.demo.registry import DemoContext, generator
from dudao.inspections import selectors
from dudao.inspections.models import (
    Criterion,
    Finding,
    Judge,
    Score,
    ScoreCard,
    ScoreSheet,
    Site,
    Tour,
    TourGroup,
    TourSheet,
    TourUnit,
    UnitGroup,
)
from dudao.inspections.services import store_results
from dudao.orgs.models import Organisation
from dudao.problems import selectors as problem_selectors
from dudao.problems.services import create_problem
from dudao.projects.selectors import visible_projects

GROUPS = [
    ("第一组", "赵明远", "市委书记"),
    ("第二组", "钱立新", "市长"),
    ("第三组", "孙国华", "市人大常委会主任"),
]
URBAN_DISTRICTS = {"明湖区", "清河区", "金山区"}
JUDGES_PER_GROUP = 5
# Ten 40-minute stops a day (10 minutes on the road between them); four days per tour.
SLOTS = [
    (dt.time(h, m), dt.time(h + (m + 40) // 60, (m + 40) % 60))
    for h, m in (
        (8, 0),
        (8, 50),
        (9, 40),
        (10, 30),
        (11, 20),
        (14, 0),
        (14, 50),
        (15, 40),
        (16, 30),
        (17, 20),
    )
]
TOUR_DAYS = 4
TOURS = [
    # (name, period, start offset in days from today, status)
    ("2025年下半年重点项目观摩督导", "2025年下半年", -200, Tour.Status.PUBLISHED),
    ("2026年上半年重点项目观摩督导", "2026年上半年", -40, Tour.Status.PUBLISHED),
    ("2026年下半年重点项目观摩督导", "2026年下半年", 20, Tour.Status.PLANNING),
]

if TYPE_CHECKING:
    from dudao.projects.models import Project, ProjectCategory


def _judges(ctx: DemoContext) -> list[tuple[User | None, str, Organisation]]:
    """Fifteen judges: the demo account 郑评委 and fourteen fictional judges whose paper sheets
    were typed in (no account), from city offices and from several counties (conflict of
    interest: they never score their own county)."""
    homes = ["SFS-FGW", "SFS-TJJ", "SFS-SWJ", "SFS-MHQ", "SFS-FTX", "SFS-LQX", "SFS-APX"]
    surnames = "冯陈褚卫蒋沈韩杨朱秦尤许何吕施"
    judges: list[tuple[User | None, str, Organisation]] = []
    if "demo_judge" in ctx.users:
        user = ctx.users["demo_judge"]
        judges.append((user, "", user.organisation))
    for i in range(len(GROUPS) * JUDGES_PER_GROUP - len(judges)):
        judges.append((None, f"{surnames[i % len(surnames)]}评委", ctx.orgs[homes[i % len(homes)]]))
    return judges


def _county_of(org: Organisation, counties: list[Organisation]) -> Organisation | None:
    return next((c for c in counties if org.path.startswith(c.path)), None)


@generator(order=45, name="观摩督导")
def inspections(ctx: DemoContext) -> None:
    if ctx.is_province or "demo_supervisor" not in ctx.users:
        return
    rng = ctx.rng
    supervisor = ctx.users["demo_supervisor"]
    counties = list(
        Organisation.objects.filter(
            kind=Organisation.Kind.COUNTY_GOV, parent=ctx.orgs["SFS"]
        ).order_by("sort_order")
    )
    categories = {c.code: c for c in selectors.project_categories()}
    sheets = {s.code: s for s in ScoreSheet.objects.all()}
    criteria = {s: list(Criterion.objects.filter(sheet=s)) for s in sheets.values()}
    judges = _judges(ctx)
    projects = list(
        visible_projects(supervisor)
        .filter(category__code__in=["industry", "urban"], county__in=counties)
        .exclude(stage="preparation")  # 前期 projects are not visited
        .order_by("id")
    )
    by_county: dict[int, list[Project]] = {}
    for p in projects:
        by_county.setdefault(p.county_id, []).append(p)
    for lst in by_county.values():
        rng.shuffle(lst)
    today = timezone.localdate()
    used: set[int] = set()
    for name, period, offset, status in TOURS:
        start = today + dt.timedelta(days=offset)
        tour = Tour.objects.create(
            organiser=supervisor.organisation,
            name=name,
            period=period,
            start_date=start,
            end_date=start + dt.timedelta(days=TOUR_DAYS - 1),
            county_sheet=sheets["county"],
            county_weight=Decimal("0.2"),
            min_investment=Decimal("10000"),
            status=Tour.Status.CLOSED if status == Tour.Status.PUBLISHED else status,
        )
        TourSheet.objects.bulk_create(
            [
                TourSheet(
                    tour=tour,
                    category=categories["industry"],
                    sheet=sheets["industry"],
                    weight=Decimal("0.7"),
                ),
                TourSheet(
                    tour=tour,
                    category=categories["urban"],
                    sheet=sheets["urban"],
                    weight=Decimal("0.3"),
                ),
            ]
        )
        county_group, urban_group = UnitGroup.objects.bulk_create(
            [
                UnitGroup(tour=tour, name="县(市)组", sort_order=0),
                UnitGroup(tour=tour, name="城区组", sort_order=1),
            ]
        )
        groups = TourGroup.objects.bulk_create(
            TourGroup(
                tour=tour,
                name=g,
                leader_name=leader,
                leader_title=title,
                members="市委秘书长\n市发展改革委主任\n市督查室主任",
                sort_order=i,
            )
            for i, (g, leader, title) in enumerate(GROUPS)
        )
        units = TourUnit.objects.bulk_create(
            TourUnit(
                tour=tour,
                county=c,
                unit_group=urban_group if c.short_name in URBAN_DISTRICTS else county_group,
                visit_group=groups[i % len(groups)],
                visit_order=i // len(groups) + 1,
            )
            for i, c in enumerate(counties)
        )
        sites: list[Site] = []
        slot_of_group: dict[int, int] = {}
        for unit in units:
            pool = [p for p in by_county.get(unit.county_id, []) if p.pk not in used]
            industry = [p for p in pool if p.category_id == categories["industry"].pk][:6]
            urban = [p for p in pool if p.category_id == categories["urban"].pk][:2]
            for project in industry + urban:
                used.add(project.pk)
            stops: list[Project | None] = [*industry, *urban, None]
            for project in stops:  # type: ignore[assignment]
                n = slot_of_group.get(unit.visit_group_id or 0, 0)
                slot_of_group[unit.visit_group_id or 0] = n + 1
                if n >= TOUR_DAYS * len(SLOTS):
                    continue  # the group's days are full
                day = start + dt.timedelta(days=n // len(SLOTS))
                begin, end = SLOTS[n % len(SLOTS)]
                category: ProjectCategory | None = None
                sheet, title = sheets["county"], f"{unit.county.short_name}工作汇报"
                if project is not None:
                    sheet = sheets[project.category.code]
                    category, title = project.category, project.name
                sites.append(
                    Site(
                        tour=tour,
                        unit=unit,
                        county_id=unit.county_id,
                        kind=Site.Kind.COUNTY if project is None else Site.Kind.PROJECT,
                        project=project,
                        category=category,
                        sheet=sheet,
                        title=title,
                        in_park=bool(project and project.park_id),
                        investment=project.total_investment if project else None,
                        visit_date=day,
                        slot_start=begin,
                        slot_end=end,
                        order=n + 1,
                        presenter_name=f"{unit.county.short_name}主要负责同志",
                        presenter_title="县（市、区）委书记"
                        if project is None
                        else "县（市、区）长",
                        warnings=(
                            ["总投资低于入选门槛"]
                            if project and project.total_investment < (tour.min_investment or 0)
                            else []
                        ),
                    )
                )
        sites = Site.objects.bulk_create(sites)
        seats = Judge.objects.bulk_create(
            Judge(
                tour=tour,
                user=user,
                name=name,
                group=groups[i % len(groups)],
                county=_county_of(home, counties),
            )
            for i, (user, name, home) in enumerate(judges)
            if user is not None or status == Tour.Status.PUBLISHED
        )
        if status == Tour.Status.PUBLISHED:
            _score(ctx, tour=tour, sites=sites, seats=seats, units=units, criteria=criteria)
            _publish_and_find(ctx, tour, supervisor)
        ctx.counts[f"观摩点位（{period}）"] = len(sites)
    ctx.counts["观摩活动"] = len(TOURS)


def _score(
    ctx: DemoContext,
    *,
    tour: Tour,
    sites: list[Site],
    seats: list[Judge],
    units: list[TourUnit],
    criteria: dict[ScoreSheet, list[Criterion]],
) -> None:
    rng = ctx.rng
    quality = {u.pk: rng.uniform(0.68, 0.93) for u in units}
    severity = {j.pk: rng.uniform(-0.05, 0.04) for j in seats}
    sheets = {s.pk: s for s in criteria}
    now = timezone.now()
    cards = []
    for site in sites:
        for seat in seats:
            if seat.group_id != site.unit.visit_group_id or seat.county_id == site.county_id:
                continue
            cards.append(
                ScoreCard(
                    judge=seat,
                    site=site,
                    status=ScoreCard.Status.SUBMITTED,
                    submitted_at=now,
                    last_key=f"demo-{seat.pk}-{site.pk}",
                    last_seq=1,
                )
            )
    cards = ScoreCard.objects.bulk_create(cards)
    scores = []
    site_of = {s.pk: s for s in sites}
    for card in cards:
        site = site_of[card.site_id]
        level = quality[site.unit_id] + severity[card.judge_id]
        for c in criteria[sheets[site.sheet_id]]:
            raw = float(c.max_points) * min(1.0, max(0.3, rng.gauss(level, 0.06)))
            points = Decimal(round(raw * 2) / 2).quantize(Decimal("0.1"))
            scores.append(Score(card=card, criterion=c, points=points))
    Score.objects.bulk_create(scores, batch_size=2000)


def _publish_and_find(ctx: DemoContext, tour: Tour, supervisor: User) -> None:
    now = store_results(tour, selectors.compute_results(tour))
    Tour.objects.filter(pk=tour.pk).update(
        status=Tour.Status.PUBLISHED, published_at=now, published_by=supervisor
    )
    # Findings: the weakest criterion scores become problems in the ledger (source 观摩).
    active = problem_selectors.categories()
    category = active.filter(code="progress").first() or active.first()
    if category is None:
        return
    low = (
        Score.objects.filter(card__site__tour=tour, card__site__kind=Site.Kind.PROJECT)
        .select_related("card__site__county", "card__site__project", "criterion")
        .order_by("points", "pk")[:12]  # ties in a fixed order: the same seed, the same city
    )
    seen: set[int] = set()
    for score in low:
        site = score.card.site
        if site.pk in seen:
            continue
        seen.add(site.pk)
        finding = Finding.objects.create(
            tour=tour,
            site=site,
            county=site.county,
            criterion=score.criterion,
            title=f"{site.title}：{score.criterion.name}偏弱（演示数据）",
            description="观摩中评委指出该项明显落后于同类项目，需制定整改措施。",
            category=category,
            deadline=timezone.localdate() + dt.timedelta(days=category.sla_days),
            status=Finding.Status.CONFIRMED,
            created_by=supervisor,
        )
        # Into the ledger through its own service (code, audit event, timeline).
        problem = create_problem(
            actor=supervisor,
            source="inspection",
            source_ref=f"inspections.finding:{finding.pk}",
            category=category,
            title=finding.title[:120],
            description=finding.description,
            county=site.county,
            responsible_org=site.county,
            project=site.project,
            deadline=finding.deadline or timezone.localdate(),
        )
        Finding.objects.filter(pk=finding.pk).update(problem=problem)
    ctx.counts[f"观摩发现问题（{tour.period}）"] = len(seen)
