"""The demo timeline: registry details, plans, three (province: five) years of monthly
reports, locks and roll-ups."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from dudao.demo.registry import DemoContext, generator
from dudao.orgs.models import Organisation
from dudao.projects.demo.extras import (
    NEXT_STEPS,
    PROBLEMS,
    _json,
    _lists_and_targets,
    _progress_text,
)
from dudao.projects.demo.registry import S
from dudao.projects.models import Project

DEMO_AREA_BASE = 419901  # 4199xx: not a GB/T 2260 code; registered as 演示代码 below
PROFILES = (("on_track", 60), ("lagging", 22), ("severe", 9), ("stale", 9))
FACTORS = {
    "on_track": (0.95, 1.25),
    "lagging": (0.6, 0.85),
    "severe": (0.2, 0.5),
    "stale": (0.7, 1.1),
}
SEASON = (0.55, 0.7, 0.95, 1.05, 1.1, 1.15, 1.0, 0.9, 1.1, 1.2, 1.15, 1.25)  # 冬季施工少
CENT = Decimal("0.01")
ZERO = Decimal("0")


def _months_back(year: int, month: int, n: int) -> list[tuple[int, int]]:
    out = []
    for _ in range(n):
        out.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out[::-1]


def _add_months(d: date, n: int) -> date:
    m = d.month - 1 + n
    return date(d.year + m // 12, m % 12 + 1, min(d.day, 28))


@generator(order=21, name="重大项目月报")
def project_progress(ctx: DemoContext) -> None:  # noqa: PLR0912, PLR0915 - one pass over the timeline
    """Codes, lists, milestones, annual plans and monthly reports: on-track, lagging, stale and
    late cases; approved history locked city-wide; the current month half filled in."""
    from dudao.projects import services
    from dudao.projects.bulk import fast_insert, fast_update
    from dudao.projects.codes import decode_project_code
    from dudao.projects.figures import progress
    from dudao.projects.models import (
        AreaCode,
        CountyMonthStat,
        MilestoneNode,
        MonthLock,
        MonthlyReport,
        ProjectMilestone,
        ProjectSettings,
        ProjectYearPlan,
    )
    from dudao.projects.selectors import reporting_period

    rng = ctx.rng
    projects = list(Project.objects.select_related("county", "category").order_by("pk"))
    if not projects:
        return
    # 1. national codes (demo counties get registered 演示代码 area codes)
    area_of: dict[int, str] = {}
    demo_areas: list[AreaCode] = []
    for _n, county in enumerate(
        Organisation.objects.filter(kind=Organisation.Kind.COUNTY_GOV).order_by("path")
    ):
        if county.region_id:
            area_of[county.pk] = county.region_id
        else:
            code = str(DEMO_AREA_BASE + len(demo_areas))
            demo_areas.append(
                AreaCode(
                    code=code,
                    name=f"{county.name}（演示）",
                    kind=AreaCode.Kind.DEMO,
                    county=county,
                    note="示范市为虚构城市",
                )
            )
            area_of[county.pk] = code
    AreaCode.objects.bulk_create(demo_areas, ignore_conflicts=True)
    known = services.known_area_codes()
    for p in projects:
        sector = (p.industry_code or "48")[:2]
        yymm = f"{rng.randint(21, 25):02d}{rng.randint(1, 12):02d}"
        decoded = decode_project_code(
            f"{yymm}-{area_of[p.county_id]}-{sector}-{rng.choice(['01', '02', '03'])}-{p.pk:06d}",
            known,
        )
        p.code, p.code_scheme = decoded.code, decoded.scheme
        p.code_year, p.code_month, p.code_area = decoded.year, decoded.month, decoded.area
        p.code_sector, p.code_type = decoded.sector, decoded.type_code
        p.responsible_unit = f"{p.county.short_name}发展和改革委员会"
        p.lead_leader = rng.choice(["张副县长", "刘副区长", "陈常务副县长", "杨副市长"])
        p.liaison = rng.choice(["王涛", "李静", "赵磊", "孙敏", "周强"])
    code_fields = [
        "code",
        "code_scheme",
        "code_year",
        "code_month",
        "code_area",
        "code_sector",
        "code_type",
        "responsible_unit",
        "lead_leader",
        "liaison",
    ]
    fast_update(
        Project, code_fields, [(*(getattr(p, f) for f in code_fields), p.pk) for p in projects]
    )
    # 2. the timeline
    py, pm = reporting_period()
    months = _months_back(py, pm, 60 if ctx.is_province else 36)
    first_day = date(months[0][0], months[0][1], 1)
    period_end = services.month_end(py, pm)
    nodes = {n.code: n for n in MilestoneNode.objects.all()}
    settings = ProjectSettings.current()
    deadlines = {ym: services.report_deadline(*ym, settings).due for ym in months}
    users = ctx.users
    reporter_of = {}
    for name in ("demo_reporter", "demo_reporter2"):
        if name in users:
            reporter_of[users[name].organisation.parent_id] = users[name].pk
    reviewer_of = {}
    if "demo_reviewer" in users:
        reviewer_of[users["demo_reviewer"].organisation_id] = users["demo_reviewer"].pk
    tz = timezone.get_current_timezone()

    milestones: list[tuple[Any, ...]] = []
    plan_rows: list[tuple[Any, ...]] = []
    report_rows: list[tuple[Any, ...]] = []
    stats: dict[tuple[int, int, int, int], list[Any]] = {}
    plan_rollup: dict[tuple[int, int], tuple[Decimal, int]] = {}
    before_updates: list[Project] = []
    now = timezone.now()
    for p in projects:
        profile = rng.choices([x for x, _ in PROFILES], weights=[w for _, w in PROFILES])[0]
        low, high = FACTORS[profile]
        factor = rng.uniform(low, high)
        stage = p.stage
        # milestone dates
        if stage == S.PREPARATION:
            planned_start = _add_months(date(py, pm, 10), rng.randint(-4, 6))
            start = None
        elif stage == S.NEW:
            start = date(py, rng.randint(1, pm), rng.randint(1, 28))
            planned_start = _add_months(start, -rng.choice([0, 0, 0, 1, 2]))
        elif stage == S.CONTINUING:
            start = _add_months(date(py, pm, 1), -rng.randint(12, 40)).replace(
                day=rng.randint(1, 28)
            )
            planned_start = start
        else:
            start = _add_months(date(py, pm, 1), -rng.randint(24, 50)).replace(
                day=rng.randint(1, 28)
            )
            planned_start = start
        dates: dict[str, tuple[date | None, date | None]] = {}
        sign = _add_months(planned_start, -rng.randint(6, 12))
        for offset, code in enumerate(("SIGN", "FILING", "LAND", "EIA")):
            d = _add_months(sign, offset)
            dates[code] = (
                d,
                d
                if d <= period_end and (start or stage != S.PREPARATION or rng.random() < 0.6)
                else None,
            )
        dates["START"] = (planned_start, start)
        if start:
            main = _add_months(start, rng.randint(10, 20))
            done_main = stage in (S.COMPLETED, S.PRODUCING) or main <= period_end
            dates["MAIN"] = (main, main if done_main and main <= period_end else None)
            comp = _add_months(start, rng.randint(22, 30))
            if stage in (S.COMPLETED, S.PRODUCING):
                comp = min(comp, _add_months(period_end, -1))
                dates["MAIN"] = (min(main, comp), min(main, comp))
            dates["COMPLETE"] = (comp, comp if stage in (S.COMPLETED, S.PRODUCING) else None)
            prod = _add_months(comp, 2)
            dates["PRODUCE"] = (prod, prod if stage == S.PRODUCING and prod <= period_end else None)
        for code, (planned, actual) in dates.items():
            milestones.append((p.pk, nodes[code].pk, planned, actual))
        # plans and reports
        total = p.total_investment
        spent_before = Decimal(0)
        if start and start < first_day:
            elapsed = (first_day.year - start.year) * 12 + first_day.month - start.month
            spent_before = (total * Decimal(min(elapsed, 24)) / Decimal(80)).quantize(CENT)
            p.invest_before = spent_before
            before_updates.append(p)
        cumulative = spent_before
        stale_from = len(months) - rng.randint(3, 7) if profile == "stale" else len(months)
        first_month = (start.year, start.month) if start else (py, 1)
        share = Decimal("0.35")
        if ctx.is_province:  # benchmark volume: every project reports all 60 months
            first_month, share, spent_before, cumulative = months[0], Decimal("0.18"), ZERO, ZERO
            p.invest_before = ZERO
        for year in sorted({y for y, _ in months}):
            remaining = total - cumulative
            if remaining <= 0 or (year, 12) < first_month:
                continue
            active = 12 - (first_month[1] - 1 if first_month[0] == year else 0)
            plan_amount = (min(remaining, total * share) * Decimal(active) / Decimal(12)).quantize(
                CENT
            )
            if stage == S.PREPARATION:
                plan_amount = (total * Decimal("0.05")).quantize(CENT)
            curve = None
            if first_month[0] == year and first_month[1] > 1:
                # started during the year: the plan's curve starts at the start month
                start_m = first_month[1]
                curve = [
                    str(
                        (
                            plan_amount * Decimal(max(0, mm - start_m + 1)) / Decimal(13 - start_m)
                        ).quantize(CENT)
                    )
                    for mm in range(1, 13)
                ]
                curve[-1] = str(plan_amount)
            elif year == py and rng.random() < 0.1:
                acc, curve = Decimal(0), []
                weight = sum(SEASON)
                for m in range(12):
                    acc += plan_amount * Decimal(str(SEASON[m])) / Decimal(str(weight))
                    curve.append(str(acc.quantize(CENT)))
                curve[-1] = str(plan_amount)
            plan_rows.append(
                (p.pk, p.county_id, year, plan_amount, curve, [], Decimal(0), 0, 1, now)
            )
            ytd = funds_ytd = Decimal(0)
            for idx, (y, m) in enumerate(months):
                if y != year or (y, m) < first_month or idx >= stale_from:
                    continue
                is_current = (y, m) == (py, pm)
                is_previous = idx == len(months) - 2
                if is_current and rng.random() < 0.35:
                    continue  # not filled in yet
                raw = (
                    plan_amount
                    / Decimal(active)
                    * Decimal(str(factor * SEASON[m - 1] * rng.uniform(0.8, 1.2)))
                )
                invest = max(
                    Decimal(0),
                    min(
                        raw.quantize(CENT),
                        total - cumulative,
                        (plan_amount * Decimal("0.35")).quantize(CENT),
                    ),
                )
                funds = (invest * Decimal(str(rng.uniform(0.7, 1.1)))).quantize(CENT)
                ytd += invest
                funds_ytd += funds
                cumulative += invest
                status = MonthlyReport.Status.APPROVED
                if is_current:
                    status = rng.choice(
                        [
                            MonthlyReport.Status.DRAFT,
                            MonthlyReport.Status.DRAFT,
                            MonthlyReport.Status.SUBMITTED,
                            MonthlyReport.Status.APPROVED,
                        ]
                    )
                elif is_previous and rng.random() < 0.07:
                    status = MonthlyReport.Status.SUBMITTED
                due = deadlines[(y, m)]
                late = rng.random() < (0.25 if profile in ("severe", "stale") else 0.06)
                submitted_on = (
                    due + timedelta(days=rng.randint(1, 9))
                    if late
                    else due - timedelta(days=rng.randint(0, 4))
                )
                submitted = None
                if status != MonthlyReport.Status.DRAFT:
                    submitted_on = min(submitted_on, timezone.localdate())
                    submitted = datetime.combine(submitted_on, time(16, 30), tz)
                    late = submitted_on > due
                else:
                    late = False
                approved = status == MonthlyReport.Status.APPROVED
                node_id, node_date = None, None
                for code, (_, actual) in dates.items():
                    if (
                        actual
                        and (actual.year, actual.month) == (y, m)
                        and code in ("START", "MAIN", "COMPLETE", "PRODUCE")
                    ):
                        node_id, node_date = nodes[code].pk, actual
                problem = profile in ("severe", "stale") and rng.random() < 0.3
                lag = progress(plan_amount, ytd, m, settings, curve).lag if approved else None
                report_rows.append(
                    (
                        p.pk,
                        p.county_id,
                        y,
                        m,
                        invest,
                        ytd,
                        cumulative,
                        funds,
                        funds_ytd,
                        node_id,
                        node_date,
                        _progress_text(rng, dates, y, m),
                        problem,
                        rng.choice(PROBLEMS) if problem else "",
                        rng.choice(NEXT_STEPS),
                        "",
                        status,
                        "",
                        late,
                        reporter_of.get(p.county_id),
                        submitted,
                        submitted,
                        reviewer_of.get(p.county_id) if approved else None,
                        submitted + timedelta(days=1) if approved and submitted else None,
                        None,
                        now,
                        now,
                        1,
                        lag,
                    )
                )
                if approved:
                    key = (p.county_id, p.category_id, y, m)
                    acc_row = stats.setdefault(key, [0, Decimal(0), Decimal(0)])
                    acc_row[0] += 1
                    acc_row[1] += invest
                    acc_row[2] += funds
                    prev = plan_rollup.get((p.pk, y), (Decimal(0), 0))
                    plan_rollup[(p.pk, y)] = (prev[0] + invest, m)
    fast_update(Project, ["invest_before"], [(p.invest_before, p.pk) for p in before_updates])
    fast_insert(ProjectMilestone, ["project", "node", "planned_date", "actual_date"], milestones)
    plan_fields = [
        "project",
        "county",
        "year",
        "planned_investment",
        "curve",
        "planned_nodes",
        "approved_ytd",
        "approved_month",
        "version",
        "updated_at",
    ]
    plan_rows = [
        (
            *row[:4],
            _json(row[4]),
            _json(row[5]),
            *plan_rollup.get((row[0], row[2]), (Decimal(0), 0)),
            *row[8:],
        )
        for row in plan_rows
    ]
    fast_insert(ProjectYearPlan, plan_fields, plan_rows)
    fast_insert(
        MonthlyReport,
        [
            "project",
            "county",
            "year",
            "month",
            "invest_month",
            "invest_ytd",
            "invest_total",
            "funds_month",
            "funds_ytd",
            "node",
            "node_date",
            "progress_text",
            "has_problem",
            "problem_text",
            "next_steps",
            "note",
            "status",
            "return_reason",
            "is_late",
            "created_by",
            "submitted_at",
            "first_submitted_at",
            "reviewed_by",
            "reviewed_at",
            "problem_ref",
            "created_at",
            "updated_at",
            "version",
            "lag",
        ],
        report_rows,
    )
    fast_insert(
        CountyMonthStat,
        ["county", "category", "year", "month", "approved_count", "invest", "funds"],
        [(*k, *v) for k, v in stats.items()],
    )
    # 3. locks: every month whose deadline passed more than a month ago, city-wide
    supervisor = users.get("demo_supervisor")
    if supervisor is not None:
        MonthLock.objects.bulk_create(
            [
                MonthLock(
                    year=y,
                    month=m,
                    locked_by=supervisor,
                    locked_at=datetime.combine(deadlines[(y, m)] + timedelta(days=3), time(9), tz),
                )
                for (y, m) in months[:-2]
            ]
        )
    _lists_and_targets(ctx=ctx, projects=projects, py=py, pm=pm, milestones=milestones, nodes=nodes)
    ctx.counts["project_reports"] = len(report_rows)
