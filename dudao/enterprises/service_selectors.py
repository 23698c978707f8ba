"""Read side of enterprise service: demands, visits, officers, the department league and visit
coverage. Every read starts from the actor's scope; an enterprise's own account sees only its
enterprise (anything else is 404, exactly as missing)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404

from dudao.accounts.models import User as UserModel
from dudao.core.numbers import round_half_up
from dudao.core.roles import Role
from dudao.core.scoping import scope_path_of
from dudao.enterprises.models import (
    Demand,
    DemandEvent,
    DemandSlaRule,
    Enterprise,
    EnterpriseAccount,
    LiaisonAssignment,
    Visit,
)
from dudao.orgs.models import Organisation
from dudao.orgs.rules import display_name

if TYPE_CHECKING:
    from dudao.accounts.models import User

S = Demand.Status
# Kinds of unit a demand may be routed to (functional departments and the park committees).
DEPARTMENT_KINDS = (
    Organisation.Kind.DEPARTMENT,
    Organisation.Kind.DRC,
    Organisation.Kind.COMMERCE,
    Organisation.Kind.STATISTICS,
    Organisation.Kind.PARK_COMMITTEE,
)


def _active_assignments(actor: User, day: dt.date) -> QuerySet[LiaisonAssignment]:
    return LiaisonAssignment.objects.filter(officer=actor, valid_from__lte=day).exclude(
        valid_to__lt=day
    )


def demands(actor: User, today: dt.date) -> QuerySet[Demand]:
    """The demands the actor may see: an enterprise account its own enterprise's; anybody else
    those of enterprises or departments in scope, and of the enterprises they liaise with."""
    if actor.has_role(Role.ENTERPRISE):
        bound = EnterpriseAccount.objects.filter(user=actor).values("enterprise_id")
        return Demand.objects.filter(enterprise_id__in=bound)
    path = scope_path_of(actor)
    if path is None or not actor.has_business_role:
        return Demand.objects.none()
    officer = Exists(
        _active_assignments(actor, today).filter(enterprise_id=OuterRef("enterprise_id"))
    )
    return Demand.objects.filter(
        Q(organisation__path__startswith=path) | Q(department__path__startswith=path) | officer
    )


def get_demand(actor: User, pk: int, today: dt.date) -> Demand:
    found = (
        demands(actor, today)
        .select_related("enterprise", "department", "organisation", "raised_by", "visit")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("诉求不存在或不在您的数据范围内。")
    return found


def history(demand: Demand) -> QuerySet[DemandEvent]:
    return demand.events.select_related("actor").order_by("at", "id")


def overdue_first(qs: QuerySet[Demand], today: dt.date) -> QuerySet[Demand]:
    """Annotate `overdue` (1 for an open demand past its due date) for sorting."""
    return qs.annotate(
        overdue=Case(
            When(status__in=Demand.OPEN, due_on__lt=today, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    )


def inbox(actor: User, today: dt.date, status: str = "") -> QuerySet[Demand]:
    """The demands routed to the actor's own unit (and units under it): 企业诉求办理."""
    org = actor.organisation
    if org is None or not actor.has_business_role:
        return Demand.objects.none()
    qs = Demand.objects.filter(department__path__startswith=org.path)
    if status in S.values:
        qs = qs.filter(status=status)
    elif status == "open":
        qs = qs.filter(status__in=Demand.OPEN)
    return overdue_first(qs, today).select_related("enterprise", "department")


def my_enterprises(actor: User, today: dt.date) -> QuerySet[Enterprise]:
    """The enterprises the actor is liaison officer of today (我联系的企业)."""
    ids = _active_assignments(actor, today).values("enterprise_id")
    return (
        Enterprise.objects.filter(pk__in=ids)
        .select_related("park")
        .annotate(
            open_demands=Count("demands", filter=Q(demands__status__in=Demand.OPEN), distinct=True)
        )
        .order_by("name", "id")
    )


def officer_enterprise(actor: User, pk: int, today: dt.date) -> Enterprise:
    found = my_enterprises(actor, today).filter(pk=pk).first()
    if found is None:
        raise Http404("企业不存在或您不是该企业的联企干部。")
    return found


def bound_enterprise(actor: User) -> Enterprise:
    """The enterprise of an enterprise account (404 when the account is not bound)."""
    row = EnterpriseAccount.objects.select_related("enterprise").filter(user=actor).first()
    if row is None:
        raise Http404("该账户尚未绑定企业，请联系督查员。")
    return row.enterprise


def visits(actor: User, today: dt.date) -> QuerySet[Visit]:
    if actor.has_role(Role.ENTERPRISE):
        return Visit.objects.none()
    officer = Q(officer=actor)
    return (
        Visit.objects.filter(Q(pk__in=Visit.objects.visible_to(actor).values("pk")) | officer)
        .select_related("enterprise", "officer", "officer_unit")
        .order_by("-visited_on", "-id")
    )


def get_visit(actor: User, pk: int, today: dt.date) -> Visit:
    found = visits(actor, today).filter(pk=pk).first()
    if found is None:
        raise Http404("走访记录不存在或不在您的数据范围内。")
    return found


def enterprise_demands(enterprise: Enterprise) -> QuerySet[Demand]:
    return enterprise.demands.select_related("department").order_by("-raised_on", "-id")


def enterprise_visits(enterprise: Enterprise) -> QuerySet[Visit]:
    return enterprise.visits.select_related("officer", "officer_unit").order_by("-visited_on")


def officers_of(enterprise: Enterprise, today: dt.date) -> QuerySet[LiaisonAssignment]:
    return (
        enterprise.liaisons.filter(valid_from__lte=today)
        .exclude(valid_to__lt=today)
        .select_related("officer__organisation")
    )


def department_choices() -> QuerySet[Organisation]:
    return Organisation.objects.filter(is_active=True, kind__in=DEPARTMENT_KINDS).order_by("path")


# --- league and coverage ------------------------------------------------------------------------


@dataclass(frozen=True)
class LeagueRow:
    department: str
    received: int
    answered: int
    on_time: int
    closed: int
    rated: int
    satisfaction: Decimal | None
    reopened: int

    @property
    def on_time_rate(self) -> Decimal | None:
        return _pct(self.on_time, self.answered)

    @property
    def closed_rate(self) -> Decimal | None:
        return _pct(self.closed, self.received)

    @property
    def reopen_rate(self) -> Decimal | None:
        return _pct(self.reopened, self.received)


def _pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return round_half_up(Decimal(part) * 100 / Decimal(whole), 1)


def league(actor: User, start: dt.date, end: dt.date) -> list[LeagueRow]:
    """部门办理排行 for demands raised in [start, end] in the actor's scope: received, answered
    on time (of answered), closed, mean satisfaction (of rated), reopened at least once."""
    path = scope_path_of(actor)
    if path is None or not actor.has_business_role:
        return []
    rows = (
        Demand.objects.filter(raised_on__gte=start, raised_on__lte=end)
        .filter(Q(organisation__path__startswith=path) | Q(department__path__startswith=path))
        .values("department_id")
        .annotate(
            received=Count("id"),
            answered=Count("id", filter=Q(answered_on_time__isnull=False)),
            on_time=Count("id", filter=Q(answered_on_time=True)),
            closed=Count("id", filter=Q(status=S.CLOSED)),
            rated=Count("id", filter=Q(satisfaction__isnull=False)),
            satisfaction=Avg("satisfaction"),
            reopened=Count("id", filter=Q(reopen_count__gt=0)),
        )
        .order_by()
    )
    units = Organisation.objects.in_bulk([r["department_id"] for r in rows])
    out = [
        LeagueRow(
            department=display_name(units[r["department_id"]]),
            received=r["received"],
            answered=r["answered"],
            on_time=r["on_time"],
            closed=r["closed"],
            rated=r["rated"],
            satisfaction=round_half_up(Decimal(str(r["satisfaction"])), 2)
            if r["satisfaction"] is not None
            else None,
            reopened=r["reopened"],
        )
        for r in rows
    ]
    return out


@dataclass(frozen=True)
class CoverageRow:
    unit: str
    officer: str
    assigned: int
    visited: int
    visits: int

    @property
    def rate(self) -> Decimal | None:
        return _pct(self.visited, self.assigned)


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, 3 * quarter - 2, 1)
    last_month = 3 * quarter
    nxt = dt.date(year + (last_month == 12), last_month % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def coverage(actor: User, year: int, quarter: int) -> list[CoverageRow]:
    """Visit coverage per officer (grouped by unit) in a quarter: of the enterprises the officer
    was assigned to during the quarter (in the actor's scope), how many were visited."""
    start, end = quarter_bounds(year, quarter)
    path = scope_path_of(actor)
    if path is None or not actor.has_business_role:
        return []
    assignments = (
        LiaisonAssignment.objects.filter(
            enterprise__organisation__path__startswith=path, valid_from__lte=end
        )
        .exclude(valid_to__lt=start)
        .values_list("officer_id", "enterprise_id")
    )
    assigned: dict[int, set[int]] = {}
    for officer_id, enterprise_id in assignments:
        assigned.setdefault(officer_id, set()).add(enterprise_id)
    visited: dict[int, set[int]] = {}
    counts: dict[int, int] = {}
    for officer_id, enterprise_id in Visit.objects.filter(
        officer_id__in=list(assigned), visited_on__gte=start, visited_on__lte=end
    ).values_list("officer_id", "enterprise_id"):
        counts[officer_id] = counts.get(officer_id, 0) + 1
        if enterprise_id in assigned[officer_id]:
            visited.setdefault(officer_id, set()).add(enterprise_id)
    people = UserModel.objects.select_related("organisation").in_bulk(list(assigned))
    rows = [
        CoverageRow(
            unit=display_name(people[o].organisation),
            officer=people[o].full_name,
            assigned=len(ids),
            visited=len(visited.get(o, ())),
            visits=counts.get(o, 0),
        )
        for o, ids in assigned.items()
    ]
    return sorted(rows, key=lambda r: (r.unit, r.officer))


def unit_coverage(rows: list[CoverageRow]) -> list[CoverageRow]:
    """The officer rows summed per unit."""
    units: dict[str, list[CoverageRow]] = {}
    for row in rows:
        units.setdefault(row.unit, []).append(row)
    return [
        CoverageRow(
            unit=unit,
            officer=f"{len(group)}人",
            assigned=sum(r.assigned for r in group),
            visited=sum(r.visited for r in group),
            visits=sum(r.visits for r in group),
        )
        for unit, group in units.items()
    ]


def sla_rules() -> QuerySet[DemandSlaRule]:
    return DemandSlaRule.objects.order_by("id")


def user_by_username(username: str) -> UserModel | None:
    """An active business account by its login name (for the officer assignment form)."""
    found = UserModel.objects.filter(username__iexact=username.strip(), is_active=True).first()
    return found if found is not None and found.has_business_role else None


def enterprise_account_by_username(username: str) -> UserModel | None:
    """An active account holding only the 企业 role, by its login name (for the binding form)."""
    found = UserModel.objects.filter(username__iexact=username.strip(), is_active=True).first()
    return found if found is not None and found.roles == int(Role.ENTERPRISE) else None


def bound_accounts(enterprise: Enterprise) -> QuerySet[EnterpriseAccount]:
    return enterprise.accounts.select_related("user").order_by("user__username")
