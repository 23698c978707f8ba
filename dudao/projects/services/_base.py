"""Shared pieces of the 重大项目 services: field lists, scope look-ups, the stale-edit check,
version bumps and the replay protection of report requests (internal to the package)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from dudao.core.exceptions import (
    DomainError,
)
from dudao.core.versions import check_version
from dudao.orgs.models import Organisation
from dudao.projects.codes import AreaIndex
from dudao.projects.models import (
    AreaCode,
    MonthlyReport,
    Project,
    ReportRequest,
)
from dudao.regions.models import Region

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from dudao.accounts.models import User

S = MonthlyReport.Status
ZERO = Decimal("0")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")

PROJECT_FIELDS = (
    "code",
    "name",
    "category",
    "stage",
    "level",
    "county",
    "park",
    "build_nature",
    "industry_code",
    "builder_name",
    "builder_uscc",
    "total_investment",
    "invest_before",
    "description",
    "responsible_unit",
    "lead_leader",
    "liaison",
    "liaison_phone",
    "is_active",
)
REPORT_FIELDS = (
    "invest_month",
    "funds_month",
    "node",
    "node_date",
    "progress_text",
    "has_problem",
    "problem_text",
    "next_steps",
    "note",
)
SETTINGS_FIELDS = (
    "lag_yellow_from",
    "lag_red_above",
    "start_yellow_from",
    "start_red_from",
    "jump_ratio",
    "deadline_days",
    "deadline_kind",
)


# --- helpers ----------------------------------------------------------------------------------


def area_index() -> AreaIndex:
    """Which county each area code belongs to, for `codes.check_code_area` (four queries)."""
    from dudao.orgs.rules import name_for

    counties = list(
        Organisation.objects.filter(kind=Organisation.Kind.COUNTY_GOV).values_list(
            "pk", "region_id", "name", "short_name", "kind"
        )
    )
    owners: dict[str, int] = {region: pk for pk, region, *_ in counties if region}
    owners.update(AreaCode.objects.filter(county__isnull=False).values_list("code", "county_id"))
    parents = dict(Region.objects.values_list("code", "parent_id"))
    above: dict[int, frozenset[str]] = {}
    for pk, region, *_ in counties:
        chain: set[str] = set()
        code = parents.get(region) if region else None
        while code and code not in chain:
            chain.add(code)
            code = parents.get(code)
        above[pk] = frozenset(chain)
    return AreaIndex(
        owners=owners,
        above=above,
        regions=frozenset(parents),
        placed=frozenset(pk for pk, region, *_ in counties if region),
        names={pk: name_for(kind, name, short) for pk, _, name, short, kind in counties},
    )


def known_area_codes() -> set[str]:
    """GB/T 2260 codes (every stored revision) and the configured 功能区/demo codes."""
    codes = set(Region.objects.values_list("code", flat=True))
    codes.update(AreaCode.objects.values_list("code", flat=True))
    return codes


def _check_version(obj: Any, version: int | None, what: str) -> None:
    """The one stale-edit rule (`dudao.core.versions`): one 409 body everywhere."""
    check_version(obj, version, what=what)


def _same_values(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Two snapshots hold the same values (1000 and 1000.00 are the same amount)."""
    if before.keys() != after.keys():
        return False
    for key, old in before.items():
        new = after[key]
        if old == new:
            continue
        if isinstance(old, str) and isinstance(new, str):
            try:
                if Decimal(old) == Decimal(new):
                    continue
            except ArithmeticError:
                pass
        return False
    return True


def _bump(obj: Any) -> None:
    obj.version = obj.version + 1
    obj.updated_at = timezone.now()


def _visible_project(actor: User, project: Project, *, lock: bool = False) -> Project:
    qs = Project.objects.visible_to(actor)
    if lock:
        # Only the project's row: FOR UPDATE with the joined county and category locked those
        # too, so every save of a county queued on its county's row, and a submit (report,
        # then project) deadlocked against a save (project, then report) on PostgreSQL.
        qs = qs.select_for_update(of=("self",))
    return qs.select_related("county", "category").get(pk=project.pk)


def _reports_for_update(actor: User) -> QuerySet[MonthlyReport]:
    """The actor's reports, locked one row each: FOR UPDATE OF the report only. Without `of`,
    PostgreSQL also locked the joined project and county rows, so an approval blocked every
    insert referencing that county (the foreign-key check takes KEY SHARE) and deadlocked a
    concurrent import on the audit chain's lock (found by bench/crash.py)."""
    return (
        MonthlyReport.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("project", "county")
    )


def _visible_report(actor: User, report: MonthlyReport) -> MonthlyReport:
    return _reports_for_update(actor).get(pk=report.pk)


def _county_in_scope(actor: User, county: Organisation) -> None:
    ok = (
        Organisation.objects.visible_to(actor)
        .filter(pk=county.pk, kind=Organisation.Kind.COUNTY_GOV)
        .exists()
    )
    if not ok:
        raise DomainError("所选县（市、区）不存在或不在您的数据范围内。", field="county")


def _replayed(
    actor: User, request_id: str | None, action: str, **report: Any
) -> MonthlyReport | None:
    """The report this actor's repeated request already produced on this report (nothing is
    written twice). Called after the scope check; the key is the actor's and the report's
    (`report=` the report, or `report__project=…, report__year=…, report__month=…`)."""
    if not request_id:
        return None
    done = (
        ReportRequest.objects.filter(key=request_id[:64], user=actor, **report)
        .select_related("report")
        .first()
    )
    if done is None:
        return None
    if done.action != action:
        raise DomainError("请求编号已用于其他操作，请重新提交。")
    return done.report


def _remember(actor: User, request_id: str | None, action: str, report: MonthlyReport) -> None:
    if request_id:
        ReportRequest.objects.create(key=request_id[:64], user=actor, action=action, report=report)
