"""Reads of the problem ledger, always from `Problem.objects.visible_to(actor)`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from dudao.core.lights import Light
from dudao.core.listing import choice_rank
from dudao.core.numbers import format_decimal, format_percent
from dudao.orgs.models import Organisation
from dudao.parks.selectors import parks_in_scope
from dudao.problems.models import (
    Problem,
    ProblemCategory,
    ProblemEvent,
    ProblemEvidence,
    ProblemLightRecord,
    ProblemLightRule,
)
from dudao.problems.rules import LatenessBook, late_label, overdue_q

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.parks.models import Park

S = Problem.Status

# The ledger's light filter (open problems only: a closed problem has no light).
LIGHT_ORDER = (Light.RED, Light.YELLOW, Light.GREY, Light.GREEN)
LIGHT_FILTER_CHOICES = [(x.value, x.label) for x in LIGHT_ORDER]
LIGHT_FILTER_VALUES = [v for v, _ in LIGHT_FILTER_CHOICES]

# The ledger's status filter also offers "all open" (未销号).
OPEN = "open"
STATUS_FILTER_CHOICES = [(OPEN, "未销号"), *S.choices]


@dataclass
class LedgerFilter:
    """The ledger's filters; every field is optional. Built from a query string or the API."""

    source: str = ""
    category: int | None = None
    county: int | None = None
    responsible: int | None = None
    status: str = ""
    severity: str = ""
    overdue: bool | None = None
    light: str = ""
    project: int | None = None
    park: int | None = None
    q: str = ""

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> LedgerFilter:
        """Read a query string leniently: unknown values are ignored, never an error page."""

        def pk(name: str) -> int | None:
            value = str(params.get(name) or "").strip()
            return int(value) if value.isdigit() and len(value) < 12 else None

        def choice(name: str, allowed: Iterable[str]) -> str:
            value = str(params.get(name) or "")
            return value if value in set(allowed) else ""

        overdue = str(params.get("overdue") or "")
        return cls(
            source=choice("source", Problem.Source.values),
            category=pk("category"),
            county=pk("county"),
            responsible=pk("responsible"),
            status=choice("status", [OPEN, *S.values]),
            severity=choice("severity", Problem.Severity.values),
            overdue={"1": True, "0": False}.get(overdue),
            light=choice("light", LIGHT_FILTER_VALUES),
            project=pk("project"),
            park=pk("park"),
            q=str(params.get("q") or "").strip()[:60],
        )

    def is_empty(self) -> bool:
        return self == LedgerFilter()


def visible(actor: User) -> QuerySet[Problem]:
    return Problem.objects.visible_to(actor)


# The ledger's sortable columns (URL key → ORM fields), for dudao.core.listing; severity by
# meaning (`with_sort_ranks`), the most serious first.
PROBLEM_SORTS: dict[str, tuple[str, ...]] = {
    "created": ("-created_at",),
    "code": ("code",),
    "title": ("title",),
    "source": ("source",),
    "category": ("category__name",),
    "severity": ("-severity_rank",),
    "org": ("responsible_org__path",),
    "county": ("county__path",),
    "deadline": ("deadline",),
    "status": ("status",),
}


def with_sort_ranks(qs: QuerySet[Problem]) -> QuerySet[Problem]:
    return qs.annotate(severity_rank=choice_rank("severity", Problem.Severity.values))


def list_problems(
    actor: User, filters: LedgerFilter | None = None, *, today: dt.date | None = None
) -> QuerySet[Problem]:
    """The ledger in the actor's scope with the filters applied, newest first."""
    f = filters or LedgerFilter()
    today = today or timezone.localdate()
    qs = visible(actor)
    exact = {
        "source": f.source,
        "category_id": f.category,
        "county_id": f.county,
        "severity": f.severity,
        "project_id": f.project,
        "park_id": f.park,
    }
    qs = qs.filter(**{name: value for name, value in exact.items() if value})
    if f.responsible:
        unit = (
            Organisation.objects.visible_to(actor)
            .filter(pk=f.responsible)
            .values_list("path", flat=True)
            .first()
        )
        subtree = Organisation.objects.filter(path__startswith=unit or "-").values("pk")
        qs = qs.filter(responsible_org__in=subtree)
    if f.status == OPEN:
        qs = qs.exclude(status=S.CLOSED)
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.overdue is True:
        qs = qs.filter(overdue_q(today))
    elif f.overdue is False:
        qs = qs.exclude(overdue_q(today))
    if f.light:
        qs = qs.exclude(status=S.CLOSED).filter(light=f.light)
    if f.q:
        qs = qs.filter(Q(code__icontains=f.q) | Q(title__icontains=f.q))
    return qs.select_related(*LEDGER_RELATED).order_by("-created_at", "-id")


LEDGER_RELATED = ("category", "responsible_org", "county", "project", "park", "issuing_org")


def load_page(ids: Iterable[int]) -> list[Problem]:
    """The problems of one ledger page, in the order of `ids`, with what the table shows.

    Pages are cut in two steps — the ids of the filtered, sorted ledger first (problems table
    only), then these rows with their joins — so the database never joins every matching row
    before sorting (PostgreSQL does so when it misjudges the filters' selectivity)."""
    wanted = list(ids)
    found = Problem.objects.filter(pk__in=wanted).select_related(*LEDGER_RELATED).in_bulk()
    return [found[pk] for pk in wanted if pk in found]


@dataclass
class LedgerRow:
    """A problem as the ledger shows it, with its computed lateness."""

    problem: Problem
    days_late: int
    overdue: bool

    @property
    def late_label(self) -> str:
        """ "3个工作日" / "5天" / "" (not late), in the problem's unit."""
        return late_label(self.days_late, self.problem.deadline_unit)

    @property
    def light_reasons(self) -> str:
        """Why the problem is lit ("" when green or closed), in words."""
        p = self.problem
        if not p.is_open:
            return ""
        return light_reason_text(p.light_reasons, p.deadline_unit)

    @property
    def late_text(self) -> str:
        """The ledger's 逾期 column: 逾期3天 / 按期销号 / 逾期销号5天 / '' (open, not late)."""
        if self.problem.status == S.CLOSED:
            return f"逾期销号{self.late_label}" if self.days_late else "按期销号"
        return f"逾期{self.late_label}" if self.overdue else ""


def ledger_rows(problems: Iterable[Problem], today: dt.date | None = None) -> list[LedgerRow]:
    """Attach days late to each problem (closed: at closing; open: today), one calendar query."""
    items = list(problems)
    today = today or timezone.localdate()
    book = LatenessBook((p.deadline for p in items), today)
    rows = []
    for p in items:
        if p.status == S.CLOSED:
            late = p.days_late or 0
            rows.append(LedgerRow(p, late, overdue=False))
        else:
            late = book.days_late(p.deadline, p.deadline_unit)
            rows.append(LedgerRow(p, late, overdue=late > 0))
    return rows


def get_problem(actor: User, pk: int) -> Problem:
    """One problem in scope, or Http404."""
    return get_object_or_404(
        visible(actor).select_related(
            "category",
            "responsible_org",
            "issuing_org",
            "county",
            "project",
            "park",
            "created_by",
            "fixing_org",
            "verifier_org",
            "verified_by",
        ),
        pk=pk,
    )


def timeline(problem: Problem) -> QuerySet[ProblemEvent]:
    return problem.events.select_related("actor", "organisation").order_by("created_at", "id")


def evidence_of(problem: Problem) -> QuerySet[ProblemEvidence]:
    return problem.evidence.select_related("uploaded_by", "organisation").order_by(
        "created_at", "id"
    )


def get_evidence(actor: User, problem_pk: int, evidence_pk: int) -> ProblemEvidence:
    """An evidence file of a problem in scope, or Http404."""
    problem = get_object_or_404(visible(actor), pk=problem_pk)
    return get_object_or_404(ProblemEvidence, pk=evidence_pk, problem=problem)


def categories(*, active_only: bool = True) -> QuerySet[ProblemCategory]:
    qs = ProblemCategory.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def responsible_choices(actor: User) -> QuerySet[Organisation]:
    """Units a problem may be assigned to: the active organisations of the actor's scope."""
    return Organisation.objects.visible_to(actor).filter(is_active=True).order_by("path")


def park_choices(actor: User) -> QuerySet[Park]:
    """Parks a problem may be linked to: the active parks in the actor's scope (`dudao.parks`)."""
    return parks_in_scope(actor).filter(is_active=True).order_by("sort_order", "code")


def county_choices(actor: User) -> QuerySet[Organisation]:
    return responsible_choices(actor).filter(kind=Organisation.Kind.COUNTY_GOV)


# --- per-unit statistics -------------------------------------------------------------------


@dataclass
class UnitStatistics:
    """One unit's ledger figures. Counts are problems; `returned`/`reopened` count events
    (a problem returned twice adds 2). `days_late_total` sums days late of problems closed late.
    """

    org_id: int
    name: str
    path: str = ""
    total: int = 0
    open: int = 0
    overdue: int = 0
    closed: int = 0
    closed_on_time: int = 0
    closed_late: int = 0
    returned: int = 0
    reopened: int = 0
    days_late_total: int = 0
    members: list[int] = field(default_factory=list)

    @property
    def on_time_rate(self) -> Decimal | None:
        """Closed on time ÷ closed (unrounded fraction), None when nothing was closed."""
        if not self.closed:
            return None
        return Decimal(self.closed_on_time) / Decimal(self.closed)

    @property
    def on_time_rate_display(self) -> str:
        """按期销号率, half-up to 0.1 % by the statistics engine ("—" without closures)."""
        rate = self.on_time_rate
        return "—" if rate is None else format_percent(rate, 1)

    @property
    def average_days_late(self) -> Decimal | None:
        """Average days late of the problems closed late (unrounded), None when none."""
        if not self.closed_late:
            return None
        return Decimal(self.days_late_total) / Decimal(self.closed_late)

    @property
    def average_days_late_display(self) -> str:
        value = self.average_days_late
        return "—" if value is None else format_decimal(value, 1)

    def add(self, other: UnitStatistics) -> None:
        for name in (
            "total",
            "open",
            "overdue",
            "closed",
            "closed_on_time",
            "closed_late",
            "returned",
            "reopened",
            "days_late_total",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.members.append(other.org_id)


def unit_statistics(
    actor: User,
    *,
    today: dt.date | None = None,
    rollup_to: Sequence[Organisation] | None = None,
    filters: LedgerFilter | None = None,
) -> list[UnitStatistics]:
    """Per responsible unit: total, open, overdue (open and past the time limit today), closed,
    closed on time / late, returns and reopenings, days late — in the actor's scope.

    One aggregate query grouped by responsible unit. With `rollup_to` (e.g. the counties), each
    given organisation gets the sum over its subtree (a county with its departments and parks);
    units outside every given subtree are left out. Sorted by overdue, then open, descending.
    """
    today = today or timezone.localdate()
    late = overdue_q(today)
    qs = list_problems(actor, filters, today=today).order_by()
    rows = qs.values(
        "responsible_org_id",
        "responsible_org__name",
        "responsible_org__path",
    ).annotate(
        n_total=Count("id"),
        n_open=Count("id", filter=~Q(status=S.CLOSED)),
        n_overdue=Count("id", filter=late),
        n_closed=Count("id", filter=Q(status=S.CLOSED)),
        n_on_time=Count("id", filter=Q(status=S.CLOSED, closed_on_time=True)),
        n_late=Count("id", filter=Q(status=S.CLOSED, closed_on_time=False)),
        n_returned=Sum("return_count"),
        n_reopened=Sum("reopen_count"),
        n_days_late=Sum("days_late", filter=Q(status=S.CLOSED, closed_on_time=False)),
    )
    units = [
        UnitStatistics(
            org_id=r["responsible_org_id"],
            name=r["responsible_org__name"],
            path=r["responsible_org__path"],
            total=r["n_total"],
            open=r["n_open"],
            overdue=r["n_overdue"],
            closed=r["n_closed"],
            closed_on_time=r["n_on_time"],
            closed_late=r["n_late"],
            returned=r["n_returned"] or 0,
            reopened=r["n_reopened"] or 0,
            days_late_total=r["n_days_late"] or 0,
        )
        for r in rows
    ]
    if rollup_to is not None:
        units = _rollup(units, rollup_to)
    units.sort(key=lambda u: (-u.overdue, -u.open, u.path))
    return units


def _rollup(units: list[UnitStatistics], targets: Sequence[Organisation]) -> list[UnitStatistics]:
    """Sum unit figures into the deepest given organisation whose subtree holds the unit."""
    by_path = {t.path: UnitStatistics(org_id=t.pk, name=t.name, path=t.path) for t in targets}
    for unit in units:
        # Walk the unit's path prefixes from the longest: the deepest target wins.
        segments = unit.path.split(".")[:-1]
        for n in range(len(segments), 0, -1):
            target = by_path.get(".".join(segments[:n]) + ".")
            if target is not None:
                target.add(unit)
                break
    return list(by_path.values())


def status_counts(actor: User, filters: LedgerFilter | None = None) -> dict[str, int]:
    """Problems per status for the ledger's filter (for the summary line)."""
    qs = list_problems(actor, filters).order_by()
    counts = dict(qs.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {value: counts.get(value, 0) for value in S.values}


# --- open problems by age and category (the leaders' cockpit) ----------------------------------

# (upper bound in days since found — inclusive —, label); the last band has no bound.
AGE_BANDS: tuple[tuple[int | None, str], ...] = (
    (30, "30天以内"),
    (90, "31–90天"),
    (180, "91–180天"),
    (None, "180天以上"),
)


@dataclass
class OpenAgeing:
    """Open problems counted by age band (days since found, or since registered) and category."""

    bands: list[str]
    categories: list[tuple[str, list[int], int]]  # (category name, count per band, total)
    band_totals: list[int]
    total: int
    overdue: int


def open_ageing(
    actor: User, *, today: dt.date | None = None, county: Organisation | None = None
) -> OpenAgeing:
    """The open problems in the actor's scope (optionally one county's) by age band and
    category, with how many are overdue by the ledger's rule. One grouped query."""
    today = today or timezone.localdate()
    qs = visible(actor).exclude(status=S.CLOSED).order_by()
    if county is not None:
        qs = qs.filter(county=county)
    aggregates: dict[str, Any] = {}
    lower: int | None = None
    for i, (upper, _label) in enumerate(AGE_BANDS):
        cond = Q()
        if upper is not None:
            since = today - dt.timedelta(days=upper)
            cond &= Q(found_on__gte=since) | Q(found_on=None, created_at__date__gte=since)
        if lower is not None:
            before = today - dt.timedelta(days=lower)
            cond &= Q(found_on__lt=before) | Q(found_on=None, created_at__date__lt=before)
        aggregates[f"b{i}"] = Count("id", filter=cond)
        lower = upper
    aggregates["late"] = Count("id", filter=overdue_q(today))
    rows = qs.values("category__name", "category__sort_order").annotate(**aggregates)
    categories: list[tuple[str, list[int], int]] = []
    band_totals = [0] * len(AGE_BANDS)
    overdue = 0
    for row in sorted(rows, key=lambda r: (r["category__sort_order"], r["category__name"])):
        counts = [row[f"b{i}"] for i in range(len(AGE_BANDS))]
        categories.append((row["category__name"], counts, sum(counts)))
        band_totals = [a + b for a, b in zip(band_totals, counts, strict=True)]
        overdue += row["late"]
    return OpenAgeing(
        [label for _, label in AGE_BANDS], categories, band_totals, sum(band_totals), overdue
    )


# --- lights (亮灯): history, the overview by light, the digest ----------------------------------


def light_reason_text(reasons: Iterable[Mapping[str, Any]], unit: str) -> str:
    """The findings that lit a problem, in words: "已逾期3个工作日；已退回2次"."""
    parts: list[str] = []
    for r in reasons:
        value = int(Decimal(str(r.get("value") or 0)))
        metric = r.get("metric")
        if metric == ProblemLightRule.Metric.DAYS_OVERDUE:
            parts.append(f"已逾期{late_label(value, unit)}")
        elif metric == ProblemLightRule.Metric.REMAINING_WORKDAYS:
            parts.append("已到整改时限" if value <= 0 else f"剩余{value}个工作日")
        elif metric == ProblemLightRule.Metric.RETURN_COUNT:
            parts.append(f"已退回整改{value}次")
        elif metric == ProblemLightRule.Metric.REOPEN_COUNT:
            parts.append(f"已重新打开{value}次")
        else:
            parts.append(str(r.get("label") or ""))
    return "；".join(p for p in parts if p)


def light_history(problem: Problem) -> list[tuple[ProblemLightRecord, str]]:
    """The problem's light changes, newest first, each with its reasons in words."""
    return [
        (r, light_reason_text(r.reasons, problem.deadline_unit))
        for r in problem.light_records.order_by("-since", "-id")
    ]


def light_rules() -> QuerySet[ProblemLightRule]:
    return ProblemLightRule.objects.all()


@dataclass
class LightOverview:
    """Open problems of the actor's scope by light, overall and per responsible unit."""

    by_light: list[tuple[Light, int]]
    units: list[dict[str, Any]]  # name, red, yellow, grey, green, total; worst first
    total: int


def light_overview(actor: User) -> LightOverview:
    """Counts of the open problems by stored light, per responsible unit (one grouped query;
    the lights are those of the last daily run or write)."""
    rows = (
        visible(actor)
        .exclude(status=S.CLOSED)
        .order_by()
        .values_list("responsible_org_id", "light")
        .annotate(n=Count("id"))
    )
    totals: dict[str, int] = dict.fromkeys(Light.values, 0)
    per_unit: dict[int, dict[str, int]] = {}
    for org_id, light, n in rows:
        totals[light] += n
        unit = per_unit.setdefault(org_id, dict.fromkeys([*Light.values, "total"], 0))
        unit[light] += n
        unit["total"] += n
    orgs = Organisation.objects.filter(pk__in=per_unit).only("pk", "name", "short_name", "kind")
    names = {o.pk: o.display_name for o in orgs}
    ranked = sorted(
        per_unit.items(),
        key=lambda kv: (-kv[1]["red"], -kv[1]["yellow"], -kv[1]["grey"], names.get(kv[0], "")),
    )
    return LightOverview(
        by_light=[(light, totals[light.value]) for light in LIGHT_ORDER],
        units=[{"org_id": pk, "name": names.get(pk, ""), **c} for pk, c in ranked],
        total=sum(totals.values()),
    )


@dataclass(frozen=True)
class LitProblem:
    """An open problem lit red or yellow, for the daily digest (all units)."""

    org_id: int
    code: str
    title: str
    deadline: dt.date
    light: Light
    reasons: str


def lit_open_problems(today: dt.date | None = None) -> list[LitProblem]:
    """Every open problem lit red or yellow on `today` by the ledger's light rules (evaluated
    for that day, so a digest is right whether or not the daily job has run yet), red first.
    System-wide: for the daily digest."""
    from dudao.problems.lights import active_rules, book_for, evaluate_problem

    today = today or timezone.localdate()
    problems = list(
        Problem.objects.exclude(status=S.CLOSED)
        .only(
            "id", "responsible_org_id", "code", "title", "status", "deadline", "deadline_unit",
            "return_count", "reopen_count",
        )
        .order_by("deadline", "code")
    )  # fmt: skip
    rules, book = active_rules(), book_for(problems, today)
    found: list[LitProblem] = []
    for p in problems:
        evaluation = evaluate_problem(p, rules, book)
        if evaluation.light in (Light.RED, Light.YELLOW):
            reasons = light_reason_text(evaluation.reasons(), p.deadline_unit)
            found.append(
                LitProblem(
                    p.responsible_org_id, p.code, p.title, p.deadline, evaluation.light, reasons
                )
            )
    found.sort(key=lambda p: -p.light.severity)
    return found
