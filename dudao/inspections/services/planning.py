"""观摩督导 writes (`dudao.inspections.services`): Planning: groups, units, sites, judges."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.exceptions import (
    DomainError,
    InvalidTransition,
    full_clean_or_raise,
)
from dudao.core.numbers import format_yi
from dudao.core.snapshot import snapshot
from dudao.inspections.models import (
    Judge,
    Site,
    Tour,
    TourGroup,
    TourUnit,
    UnitGroup,
)
from dudao.orgs.models import Organisation

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.projects.models import Project
from dudao.inspections.services._base import _bump, _organiser, _planned, _planning

# --- Planning: groups, units, sites, judges --------------------------------------------------


def add_group_body(
    *,
    actor: User,
    tour: Tour,
    name: str,
    leader_name: str,
    leader_title: str,
    members: str = "",
    sort_order: int | None = None,
) -> TourGroup:
    """Add a visiting group led by a leader."""
    tour = _organiser(actor, tour)
    _planning(tour)
    group = TourGroup(
        tour=tour,
        name=name.strip(),
        leader_name=leader_name.strip(),
        leader_title=leader_title.strip(),
        members=members.strip(),
        sort_order=tour.groups.count() if sort_order is None else sort_order,
    )
    full_clean_or_raise(group)
    group.save()
    _planned(actor, tour, "inspections.group.create", group, tour.organiser)
    return group


def add_unit_body(
    *,
    actor: User,
    tour: Tour,
    county: Organisation,
    unit_group: UnitGroup,
    visit_group: TourGroup | None = None,
    visit_order: int = 1,
) -> TourUnit:
    """Add a county (or zone) to the tour, in a ranking group and a visiting group."""
    tour = _organiser(actor, tour)
    _planning(tour)
    if not county.path.startswith(tour.organiser.scope_path):
        raise DomainError("该单位不在组织单位的管辖范围内。", field="county")
    if unit_group.tour_id != tour.pk or (visit_group and visit_group.tour_id != tour.pk):
        raise DomainError("分组不属于本次观摩。")
    if tour.units.filter(county=county).exists():
        raise DomainError(f"{county.display_name}已是本次观摩的参评单位。", field="county")
    unit = TourUnit(
        tour=tour,
        county=county,
        unit_group=unit_group,
        visit_group=visit_group,
        visit_order=visit_order,
    )
    full_clean_or_raise(unit)
    unit.save()
    _planned(actor, tour, "inspections.unit.create", unit, county)
    return unit


def selection_warnings(tour: Tour, project: Project) -> list[str]:
    """The selection rules a project does not meet (warnings, not errors)."""
    warnings = []
    if tour.min_investment is not None and project.total_investment < tour.min_investment:
        warnings.append(
            f"总投资{format_yi(project.total_investment, 2)}亿元，"
            f"低于入选门槛{format_yi(tour.min_investment, 2)}亿元"
        )
    levels = [x.strip() for x in tour.required_levels.split(",") if x.strip()]
    if levels and project.level not in levels:
        warnings.append(f"项目级别为{project.get_level_display()}，不在入选级别之内")
    if project.stage == project.Stage.PREPARATION:
        warnings.append("项目仍处于前期阶段，尚未开工")
    shown = (
        Site.objects.filter(project=project, tour__start_date__lt=tour.start_date)
        .select_related("tour")
        .first()
    )
    if shown is not None:
        warnings.append(f"已在“{shown.tour.name}”中观摩过")
    return warnings


def _check_slot(
    tour: Tour, unit: TourUnit, visit_date: dt.date, start: dt.time, end: dt.time
) -> None:
    if not tour.start_date <= visit_date <= tour.end_date:
        raise DomainError("观摩日期不在活动日期范围内。", field="visit_date")
    if end <= start:
        raise DomainError("结束时间必须晚于开始时间。", field="slot_end")
    if unit.visit_group_id is not None:
        clash = Site.objects.filter(
            tour=tour,
            unit__visit_group_id=unit.visit_group_id,
            visit_date=visit_date,
            slot_start__lt=end,
            slot_end__gt=start,
        ).first()
        if clash is not None:
            raise DomainError(
                f"与同组“{clash.title}”的时间段（{clash.slot_start:%H:%M}–{clash.slot_end:%H:%M}）重叠。",
                field="slot_start",
            )


def add_site_body(
    *,
    actor: User,
    tour: Tour,
    project: Project | None,
    visit_date: dt.date,
    slot_start: dt.time,
    slot_end: dt.time,
    unit: TourUnit | None = None,
    order: int | None = None,
    presenter_name: str = "",
    presenter_title: str = "",
) -> Site:
    """Add a project site (or, without a project, the unit's county-level 汇报 session scored
    on the county sheet) to the route. Selection rules give warnings kept with the site."""
    tour = _organiser(actor, tour)
    _planning(tour)
    if project is not None:
        unit = tour.units.filter(county_id=project.county_id).first()
        if unit is None:
            raise DomainError(
                f"项目所在的{project.county.display_name}不是本次观摩的参评单位。",
                field="project",
            )
        mapping = tour.sheets.filter(category_id=project.category_id).first()
        if mapping is None:
            raise DomainError(
                f"本次观摩没有为“{project.category.name}”类项目设置评分表。", field="project"
            )
        if tour.sites.filter(project=project).exists():
            raise DomainError("该项目已在本次观摩路线中。", field="project")
        site = Site(
            kind=Site.Kind.PROJECT,
            project=project,
            category_id=project.category_id,
            sheet=mapping.sheet,
            title=project.name,
            in_park=project.park_id is not None,
            investment=project.total_investment,
            warnings=selection_warnings(tour, project),
        )
    else:
        if unit is None or unit.tour_id != tour.pk:
            raise DomainError("请选择参评单位。", field="unit")
        if tour.county_sheet is None:
            raise DomainError("本次观摩没有设置县级综合评分表。")
        site = Site(
            kind=Site.Kind.COUNTY,
            sheet=tour.county_sheet,
            title=f"{unit.county.display_name}工作汇报",
        )
    _check_slot(tour, unit, visit_date, slot_start, slot_end)
    site.tour = tour
    site.unit = unit
    site.county_id = unit.county_id
    site.visit_date = visit_date
    site.slot_start = slot_start
    site.slot_end = slot_end
    site.order = (
        order
        if order is not None
        else tour.sites.filter(
            unit__visit_group_id=unit.visit_group_id, visit_date=visit_date
        ).count()
        + 1
    )
    site.presenter_name = presenter_name.strip()
    site.presenter_title = presenter_title.strip()
    full_clean_or_raise(site, validate_unique=False)
    site.save()
    _planned(actor, tour, "inspections.site.create", site, unit.county)
    return site


def remove_site_body(*, actor: User, site: Site) -> None:
    """Take a site off the route while planning."""
    tour = _organiser(actor, site.tour)
    _planning(tour)
    before = snapshot(site)
    county = site.county
    record_event(
        actor=actor, action="inspections.site.delete", obj=site, organisation=county, before=before
    )
    site.delete()
    _bump(tour)


def county_of(org: Organisation) -> Organisation | None:
    """The county government an organisation belongs to (itself included), if any."""
    prefixes = [org.path[: i + 7] for i in range(0, len(org.path), 7)]
    return (
        Organisation.objects.filter(path__in=prefixes, kind=Organisation.Kind.COUNTY_GOV)
        .order_by("-depth")
        .first()
    )


def add_judge_body(
    *,
    actor: User,
    tour: Tour,
    user: User,
    group: TourGroup | None = None,
    conflict: Organisation | None = None,
) -> Judge:
    """Seat a judge (an account with the 评委 role) in a visiting group. The judge's own county
    is recorded from the account's organisation: they will never score it. A judge whose
    account is not in a county (a city office) may be given a county to avoid (`conflict`: a
    conflict of interest declared by the organiser, e.g. the judge's home county)."""
    tour = _organiser(actor, tour)
    if tour.is_locked:
        raise InvalidTransition("观摩结果已发布，活动已锁定。")
    if not user.is_active or not user.has_role(Role.JUDGE):
        raise DomainError(f"{user.full_name}没有评委角色，不能担任评委。", field="user")
    if group is not None and group.tour_id != tour.pk:
        raise DomainError("观摩组不属于本次观摩。", field="group")
    if tour.judges.filter(user=user).exists():
        raise DomainError(f"{user.full_name}已是本次观摩的评委。", field="user")
    own = county_of(user.organisation)
    if conflict is not None:
        if (
            conflict.kind != Organisation.Kind.COUNTY_GOV
            or not tour.units.filter(county=conflict).exists()
        ):
            raise DomainError("回避单位必须是本次观摩的参评县（市、区）。", field="conflict")
        if own is not None and own.pk != conflict.pk:
            raise DomainError(
                f"{user.full_name}本人所在的{own.display_name}始终回避，不能改为其他单位。",
                field="conflict",
            )
    judge = Judge.objects.create(tour=tour, user=user, group=group, county=own or conflict)
    _planned(actor, tour, "inspections.judge.create", judge, tour.organiser)
    return judge


def remove_judge_body(*, actor: User, judge: Judge) -> None:
    """Take a judge off the tour while planning (no card has been written yet)."""
    tour = _organiser(actor, judge.tour)
    _planning(tour)
    record_event(
        actor=actor,
        action="inspections.judge.delete",
        obj=judge,
        organisation=tour.organiser,
        before=snapshot(judge),
    )
    judge.delete()
    _bump(tour)


# Each write is one durable transaction; the `_body` functions are for the tour plan import,
# which runs many of them in its own all-or-nothing transaction.
add_group = transaction.atomic(durable=True)(add_group_body)
add_unit = transaction.atomic(durable=True)(add_unit_body)
add_site = transaction.atomic(durable=True)(add_site_body)
remove_site = transaction.atomic(durable=True)(remove_site_body)
add_judge = transaction.atomic(durable=True)(add_judge_body)
remove_judge = transaction.atomic(durable=True)(remove_judge_body)
