"""Writes of 观摩督导. Every function is one transaction with one audit event for its change.

The organiser (督查员 of the organising office) plans tours, groups, units, sites and judges,
opens and closes scoring and publishes the results; judges (评委) score on their phones and
record findings. Publication computes the results once, stores every intermediate number and
locks the tour.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.exceptions import (
    DomainError,
    InvalidTransition,
    NotAllowed,
    full_clean_or_raise,
)
from dudao.core.numbers import format_yi
from dudao.core.policies import require_role
from dudao.core.snapshot import diff, jsonable, snapshot
from dudao.core.uploads import clean_photo
from dudao.core.versions import check_version
from dudao.inspections import selectors
from dudao.inspections.models import (
    Criterion,
    Finding,
    Judge,
    RankVote,
    Score,
    ScoreCard,
    ScoreSheet,
    Site,
    Tour,
    TourGroup,
    TourSheet,
    TourUnit,
    UnitGroup,
    UnitResult,
)
from dudao.orgs.models import Organisation
from dudao.problems import selectors as problem_selectors
from dudao.problems.services import create_problem

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.problems.models import ProblemCategory
    from dudao.projects.models import Project, ProjectCategory

S = Tour.Status
HALF = Decimal("0.5")
DEFAULT_GROUPS = ("县(市)组", "城区组")
TOUR_FIELDS = (
    "level",
    "name",
    "period",
    "start_date",
    "end_date",
    "method",
    "trim_k",
    "min_judges_for_trim",
    "vote_top_points",
    "vote_step",
    "county_sheet",
    "county_weight",
    "finding_threshold",
    "min_investment",
    "required_levels",
)
# Fields that decide how scores become results: frozen once scoring has started.
RULE_FIELDS = frozenset(TOUR_FIELDS) - {"name", "period", "start_date", "end_date", "level"}


def _organiser(actor: User, tour: Tour) -> Tour:
    """Lock the tour for an organiser's change (in the actor's scope, SUPERVISOR)."""
    require_role(actor, Role.SUPERVISOR)
    locked = Tour.objects.visible_to(actor).select_for_update().filter(pk=tour.pk).first()
    if locked is None or not locked.organiser.path.startswith(actor.organisation.scope_path):
        raise NotAllowed("只有组织本次观摩的单位可以修改它。")
    return locked


def _planning(tour: Tour) -> None:
    if tour.status != S.PLANNING:
        raise InvalidTransition("观摩活动已开始评分，路线、参评单位和评委不能再修改。")


def _bump(tour: Tour) -> None:
    Tour.objects.filter(pk=tour.pk).update(version=F("version") + 1, updated_at=timezone.now())


def _planned(actor: User, tour: Tour, action: str, obj: Any, organisation: Organisation) -> None:
    """Record a planning change (the tour's version moves with it)."""
    _bump(tour)
    record_event(
        actor=actor, action=action, obj=obj, organisation=organisation, after=snapshot(obj)
    )


def _project_categories() -> QuerySet[ProjectCategory]:
    """The project categories (reference data a tour's score sheets are keyed by), read through
    the app registry: dudao.projects has no public selector for them yet."""
    model: type[ProjectCategory] = apps.get_model("projects", "ProjectCategory")
    return model.objects.all()


# --- Tours -----------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def create_tour(
    *,
    actor: User,
    name: str,
    period: str,
    start_date: dt.date,
    end_date: dt.date,
    level: str = Tour.Level.CITY,
    method: str = Tour.Method.TRIMMED_MEAN,
    unit_groups: tuple[str, ...] | list[str] = DEFAULT_GROUPS,
    sheets: Mapping[ProjectCategory, tuple[ScoreSheet, Decimal]] | None = None,
    **rules: Any,
) -> Tour:
    """Create a tour organised by the actor's office, with its ranking groups and the score
    sheet (and weight) of each site type (default: every active site sheet whose code is a
    project category's code, weight 1)."""
    require_role(actor, Role.SUPERVISOR)
    unknown = set(rules) - set(TOUR_FIELDS)
    if unknown:
        raise DomainError(f"不可设置的字段：{'、'.join(sorted(unknown))}")
    if "county_sheet" not in rules:
        rules["county_sheet"] = ScoreSheet.objects.filter(
            kind=ScoreSheet.Kind.COUNTY, is_active=True
        ).first()
    tour = Tour(
        organiser=actor.organisation,
        name=name.strip(),
        period=period.strip(),
        start_date=start_date,
        end_date=end_date,
        level=level,
        method=method,
        **rules,
    )
    full_clean_or_raise(tour)
    names = [n.strip() for n in unit_groups if n.strip()]
    if not names:
        raise DomainError("至少需要一个排名分组。", field="unit_groups")
    if len(set(names)) != len(names):
        raise DomainError("排名分组不能重名。", field="unit_groups")
    tour.save()
    UnitGroup.objects.bulk_create(
        UnitGroup(tour=tour, name=n, sort_order=i) for i, n in enumerate(names)
    )
    if sheets is None:
        by_code = {
            s.code: s for s in ScoreSheet.objects.filter(kind=ScoreSheet.Kind.SITE, is_active=True)
        }
        sheets = {
            c: (by_code[c.code], Decimal(1)) for c in _project_categories().filter(code__in=by_code)
        }
    TourSheet.objects.bulk_create(
        TourSheet(tour=tour, category=c, sheet=s, weight=w) for c, (s, w) in sheets.items()
    )
    after = snapshot(tour)
    after["unit_groups"] = names
    after["sheets"] = {c.name: [s.code, str(w)] for c, (s, w) in sheets.items()}
    record_event(actor=actor, action="inspections.tour.create", obj=tour, after=after)
    return tour


@transaction.atomic(durable=True)
def update_tour(*, actor: User, tour: Tour, version: int | None = None, **changes: Any) -> Tour:
    """Change a tour's attributes; scoring rules only while planning; stale edits → 409."""
    tour = _organiser(actor, tour)
    check_version(tour, version, what="观摩活动")
    unknown = set(changes) - set(TOUR_FIELDS)
    if unknown:
        raise DomainError(f"不可修改的字段：{'、'.join(sorted(unknown))}")
    if tour.is_locked:
        raise InvalidTransition("观摩结果已发布，活动已锁定。")
    before = snapshot(tour)
    if tour.status != S.PLANNING and any(
        getattr(tour, f) != v for f, v in changes.items() if f in RULE_FIELDS
    ):
        raise InvalidTransition("评分已开始，评分规则不能再修改。")
    for field, value in changes.items():
        setattr(tour, field, value.strip() if isinstance(value, str) else value)
    full_clean_or_raise(tour)
    tour.version = F("version") + 1
    tour.updated_at = timezone.now()
    tour.save()
    tour.refresh_from_db()
    b, a = diff(before, snapshot(tour))
    record_event(actor=actor, action="inspections.tour.update", obj=tour, before=b, after=a)
    return tour


TRANSITIONS = {
    "open": (S.PLANNING, S.SCORING, "开始评分"),
    "close": (S.SCORING, S.CLOSED, "结束评分"),
    "reopen": (S.CLOSED, S.SCORING, "重新开放评分"),
}


@transaction.atomic(durable=True)
def transition_tour(*, actor: User, tour: Tour, action: str) -> Tour:
    """open (planning → scoring), close (scoring → closed), reopen (closed → scoring)."""
    tour = _organiser(actor, tour)
    if action not in TRANSITIONS:
        raise DomainError(f"未知操作：{action}")
    source, target, label = TRANSITIONS[action]
    if tour.status != source:
        raise InvalidTransition(f"当前状态为“{tour.get_status_display()}”，不能{label}。")
    if action == "open":
        if not tour.sites.exists():
            raise DomainError("还没有观摩点位，不能开始评分。")
        if not tour.judges.exists():
            raise DomainError("还没有评委，不能开始评分。")
    before = {"status": tour.status}
    tour.status = target
    tour.save(update_fields=["status"])
    _bump(tour)
    record_event(
        actor=actor,
        action="inspections.tour.transition",
        obj=tour,
        before=before,
        after={"status": target},
        reason=label,
    )
    return tour


def store_results(tour: Tour, report: selectors.Report) -> dt.datetime:
    """Write the locked results (score, rank, every intermediate) of a computed report."""
    now = timezone.now()
    UnitResult.objects.bulk_create(
        UnitResult(
            tour=tour,
            unit_id=row.unit.pk,
            unit_group_id=row.unit.unit_group_id,
            score=row.display,
            rank=row.rank,
            method=tour.method,
            details=jsonable(row.details),
            published_at=now,
        )
        for row in report.units
    )
    return now


@transaction.atomic(durable=True)
def publish_tour(*, actor: User, tour: Tour, version: int | None = None) -> Tour:
    """Compute the results once, store them with every intermediate number, lock the tour."""
    tour = _organiser(actor, tour)
    check_version(tour, version, what="观摩活动")
    if tour.status == S.PUBLISHED:
        raise InvalidTransition("观摩结果已发布。")
    if tour.status != S.CLOSED:
        raise InvalidTransition("请先结束评分，再发布结果。")
    report = selectors.compute_results(tour)
    if not any(row.score is not None for row in report.units):
        raise DomainError("还没有任何有效评分，不能发布。")
    now = store_results(tour, report)
    tour.status = S.PUBLISHED
    tour.published_at = now
    tour.published_by = actor
    tour.save(update_fields=["status", "published_at", "published_by"])
    _bump(tour)
    record_event(
        actor=actor,
        action="inspections.tour.publish",
        obj=tour,
        before={"status": S.CLOSED},
        after={
            "status": S.PUBLISHED,
            "results": {str(r.unit): [str(r.display), r.rank] for r in report.units},
        },
    )
    return tour


# --- Planning: groups, units, sites, judges --------------------------------------------------


@transaction.atomic(durable=True)
def add_group(
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


@transaction.atomic(durable=True)
def add_unit(
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


@transaction.atomic(durable=True)
def add_site(
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


@transaction.atomic(durable=True)
def remove_site(*, actor: User, site: Site) -> None:
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


@transaction.atomic(durable=True)
def add_judge(*, actor: User, tour: Tour, user: User, group: TourGroup | None = None) -> Judge:
    """Seat a judge (an account with the 评委 role) in a visiting group. The judge's own county
    is recorded from the account's organisation: they will never score it."""
    tour = _organiser(actor, tour)
    if tour.is_locked:
        raise InvalidTransition("观摩结果已发布，活动已锁定。")
    if not user.is_active or not user.has_role(Role.JUDGE):
        raise DomainError(f"{user.full_name}没有评委角色，不能担任评委。", field="user")
    if group is not None and group.tour_id != tour.pk:
        raise DomainError("观摩组不属于本次观摩。", field="group")
    if tour.judges.filter(user=user).exists():
        raise DomainError(f"{user.full_name}已是本次观摩的评委。", field="user")
    judge = Judge.objects.create(
        tour=tour, user=user, group=group, county=county_of(user.organisation)
    )
    _planned(actor, tour, "inspections.judge.create", judge, tour.organiser)
    return judge


# --- Scoring ---------------------------------------------------------------------------------


def _scoring_open(tour: Tour) -> None:
    if tour.status == S.PUBLISHED:
        raise InvalidTransition("观摩结果已发布，评分已锁定，不能再修改。")
    if tour.status == S.PLANNING:
        raise InvalidTransition("本次观摩尚未开始评分。")
    if tour.status == S.CLOSED:
        raise InvalidTransition("组织者已结束评分，不能再修改。")


def _conflict(judge: Judge, county: Organisation) -> None:
    if judge.county_id is not None and judge.county_id == county.pk:
        raise NotAllowed(f"按回避规定，评委不能为本人所在的{county.display_name}评分。")


def _seat(actor: User, tour: Tour) -> Judge:
    require_role(actor, Role.JUDGE)
    judge = Judge.objects.filter(tour=tour, user=actor).select_related("user").first()
    if judge is None:
        raise NotAllowed("您不是本次观摩的评委。")
    return judge


def parse_points(value: Any, criterion: Criterion) -> Decimal:
    """Points for one criterion: a number 0 … max in steps of 0.5 (Chinese message otherwise)."""
    try:
        points = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(f"“{criterion.name}”的得分“{value}”不是数字。", field="scores") from None
    if not points.is_finite():
        raise DomainError(f"“{criterion.name}”的得分“{value}”不是数字。", field="scores")
    if points < 0:
        raise DomainError(f"“{criterion.name}”的得分不能为负数。", field="scores")
    if points > criterion.max_points:
        raise DomainError(
            f"“{criterion.name}”得分{points.normalize():f}分，超过满分{criterion.max_points}分。",
            field="scores",
        )
    if points % HALF != 0:
        raise DomainError(
            f"“{criterion.name}”得分必须是0.5分的整数倍（收到{points.normalize():f}）。",
            field="scores",
        )
    return points.quantize(Decimal("0.1"))


def _card(judge: Judge, site: Site) -> ScoreCard:
    """The judge's card for the site, locked (created on first use; one query usually)."""
    card = ScoreCard.objects.select_for_update().filter(judge=judge, site=site).first()
    if card is None:
        created, _ = ScoreCard.objects.get_or_create(judge=judge, site=site)
        card = ScoreCard.objects.select_for_update().get(pk=created.pk)
    return card


def _card_label(judge: Judge, site: Site) -> str:
    return f"{judge.user.full_name} · {site.title}" if judge.user is not None else site.title


@transaction.atomic(durable=True)
def save_card(
    *,
    actor: User,
    site: Site,
    scores: Mapping[Any, Any],
    comment: str | None = None,
    key: str = "",
    seq: int = 0,
) -> ScoreCard:
    """Save (create or update) a judge's scores for one site.

    Idempotent: the same `key` again changes nothing; a save whose client sequence `seq` is
    older than the last one applied is ignored (a late retry must not undo a newer save).
    Refused: a site of the judge's own county, a submitted card, a tour not open for scoring,
    points above the maximum or off the 0.5 step, a criterion of another sheet.
    """
    tour = site.tour
    judge = _seat(actor, tour)
    _conflict(judge, site.county)
    key = (key or "").strip()[:64]
    card = _card(judge, site)
    if key and key == card.last_key:
        return card  # a retry of a save already applied (even if scoring closed since)
    _scoring_open(Tour.objects.get(pk=tour.pk))
    criteria = {c.pk: c for c in Criterion.objects.filter(sheet_id=site.sheet_id)}
    parsed: dict[int, Decimal] = {}
    for raw_id, value in scores.items():
        try:
            criterion = criteria[int(raw_id)]
        except (KeyError, ValueError):
            raise DomainError("评分项不属于该点位的评分表。", field="scores") from None
        if value is None or str(value).strip() == "":
            continue
        parsed[criterion.pk] = parse_points(value, criterion)
    if seq and seq < card.last_seq:
        return card  # an older save arriving late: the newer one stands
    if card.status == ScoreCard.Status.SUBMITTED:
        raise InvalidTransition("您已提交该点位的评分，评分表已关闭，不能再修改。")
    existing = {s.criterion_id: s for s in card.scores.all()}
    before = {str(cid): str(s.points) for cid, s in existing.items()}
    now = timezone.now()
    changed, created = [], []
    for cid, points in parsed.items():
        current = existing.get(cid)
        if current is None:
            created.append(Score(card=card, criterion_id=cid, points=points, updated_at=now))
        elif current.points != points:
            current.points = points
            current.updated_at = now
            changed.append(current)
    Score.objects.bulk_create(created)
    Score.objects.bulk_update(changed, ["points", "updated_at"])
    before_comment = card.comment
    if comment is not None:
        card.comment = comment.strip()[:1000]
    card.last_key = key
    card.last_seq = max(seq, card.last_seq)
    card.updated_at = now
    card.version = card.version + 1
    card.save(update_fields=["comment", "last_key", "last_seq", "updated_at", "version"])
    after = {**before, **{str(cid): str(p) for cid, p in parsed.items()}}
    b, a = diff(
        {"scores": before, "comment": before_comment}, {"scores": after, "comment": card.comment}
    )
    record_event(
        actor=actor,
        action="inspections.card.save",
        obj=card,
        object_repr=_card_label(judge, site),
        organisation=site.county,
        before=b,
        after=a,
    )
    return card


@transaction.atomic(durable=True)
def submit_card(*, actor: User, site: Site) -> ScoreCard:
    """Close the judge's sheet for the site (every criterion scored). Criteria scored below the
    tour's threshold propose draft findings for the organiser. Submitting twice is harmless."""
    tour = site.tour
    judge = _seat(actor, tour)
    _conflict(judge, site.county)
    card = _card(judge, site)
    if card.status == ScoreCard.Status.SUBMITTED:
        return card
    _scoring_open(Tour.objects.get(pk=tour.pk))
    criteria = list(Criterion.objects.filter(sheet_id=site.sheet_id))
    scores = {s.criterion_id: s.points for s in card.scores.all()}
    missing = [c.name for c in criteria if c.pk not in scores]
    if missing:
        raise DomainError(f"还有评分项未打分：{'、'.join(missing)}。", field="scores")
    card.status = ScoreCard.Status.SUBMITTED
    card.submitted_at = timezone.now()
    card.version += 1
    card.save(update_fields=["status", "submitted_at", "version"])
    threshold = tour.finding_threshold
    proposals = [
        Finding(
            tour=tour,
            site=site,
            county=site.county,
            criterion=c,
            card=card,
            title=f"{site.title}：{c.name}得分偏低（{scores[c.pk]}/{c.max_points}）",
            description=card.comment,
            proposed=True,
            created_by=actor,
        )
        for c in criteria
        if threshold > 0 and scores[c.pk] < c.max_points * threshold
    ]
    Finding.objects.bulk_create(proposals)
    record_event(
        actor=actor,
        action="inspections.card.submit",
        obj=card,
        object_repr=_card_label(judge, site),
        organisation=site.county,
        before={"status": ScoreCard.Status.DRAFT},
        after={
            "status": ScoreCard.Status.SUBMITTED,
            "total": str(sum(scores.values(), Decimal(0))),
            "proposed_findings": len(proposals),
        },
    )
    return card


@transaction.atomic(durable=True)
def attach_photo(*, actor: User, site: Site, data: bytes, name: str) -> ScoreCard:
    """Attach a site photo to the judge's card (re-encoded, EXIF removed)."""
    judge = _seat(actor, site.tour)
    _conflict(judge, site.county)
    _scoring_open(Tour.objects.get(pk=site.tour_id))
    clean = clean_photo(data, name)
    card = _card(judge, site)
    if card.status == ScoreCard.Status.SUBMITTED:
        raise InvalidTransition("您已提交该点位的评分，评分表已关闭，不能再修改。")
    old = card.photo.name if card.photo else ""
    card.photo.save(clean.name, ContentFile(clean.content), save=False)
    card.version += 1
    card.save(update_fields=["photo", "version"])
    record_event(
        actor=actor,
        action="inspections.card.photo",
        obj=card,
        object_repr=_card_label(judge, site),
        organisation=site.county,
        before={"photo": old},
        after={"photo": card.photo.name, "width": clean.width, "height": clean.height},
    )
    return card


@transaction.atomic(durable=True)
def cast_votes(*, actor: User, tour: Tour, ranks: Mapping[int, int]) -> list[RankVote]:
    """A judge's rank-vote ballot (济宁 method) for the units of one ranking group: ranks 1 … n,
    each once, the judge's own county left out. A new ballot replaces the previous one."""
    judge = _seat(actor, tour)
    tour = Tour.objects.get(pk=tour.pk)
    if tour.method != Tour.Method.RANK_VOTE:
        raise DomainError("本次观摩不采用排名投票法。")
    _scoring_open(tour)
    units = {u.pk: u for u in tour.units.select_related("county")}
    chosen = []
    for unit_id in ranks:
        if unit_id not in units:
            raise DomainError("投票中的单位不属于本次观摩。")
        chosen.append(units[unit_id])
    if not chosen:
        raise DomainError("请为各单位排出名次。")
    group_ids = {u.unit_group_id for u in chosen}
    if len(group_ids) != 1:
        raise DomainError("一张选票只能排同一个排名分组内的单位。")
    for unit in chosen:
        _conflict(judge, unit.county)
    expected = [
        u for u in units.values() if u.unit_group_id in group_ids and u.county_id != judge.county_id
    ]
    if len(chosen) != len(expected):
        raise DomainError(f"请为本组全部{len(expected)}个单位排出名次。")
    values = sorted(ranks.values())
    if values != list(range(1, len(expected) + 1)):
        raise DomainError(f"名次必须是1至{len(expected)}，且每个名次只能用一次。")
    previous = {
        str(v.unit_id): v.rank for v in RankVote.objects.filter(judge=judge, unit__in=chosen)
    }
    RankVote.objects.filter(judge=judge, unit__in=chosen).delete()
    votes = RankVote.objects.bulk_create(
        RankVote(judge=judge, unit_id=uid, rank=r) for uid, r in ranks.items()
    )
    record_event(
        actor=actor,
        action="inspections.votes.cast",
        obj=judge,
        organisation=tour.organiser,
        before=previous or None,
        after={str(uid): r for uid, r in ranks.items()},
    )
    return votes


# --- Findings --------------------------------------------------------------------------------


def _problem_category(category: ProblemCategory | None) -> ProblemCategory:
    if category is not None:
        return category
    fallback = problem_selectors.categories().filter(code="other").first()
    if fallback is None:
        raise DomainError("请选择问题类别。", field="category")
    return fallback


def _to_ledger(actor: User, finding: Finding) -> None:
    site = finding.site
    problem = create_problem(
        actor=actor,
        source="inspection",
        category=_problem_category(finding.category),
        title=finding.title,
        responsible_org=site.county,
        deadline=finding.deadline,
        description=finding.description,
        county=site.county,
        project=site.project,
        source_ref=f"inspections.finding:{finding.pk}",
    )
    finding.problem = problem
    finding.deadline = problem.deadline
    finding.category = problem.category
    finding.status = Finding.Status.CONFIRMED
    finding.save(update_fields=["problem", "deadline", "category", "status"])


@transaction.atomic(durable=True)
def record_finding(
    *,
    actor: User,
    site: Site,
    title: str,
    description: str = "",
    category: ProblemCategory | None = None,
    deadline: dt.date | None = None,
    criterion: Criterion | None = None,
) -> Finding:
    """A judge of the tour or its organiser records a problem seen at a site: it goes straight
    into the problem ledger (source 观摩) for the site's county, with its deadline."""
    tour = site.tour
    if actor.has_role(Role.SUPERVISOR):
        _organiser(actor, tour)
    else:
        _seat(actor, tour)
    if not title.strip():
        raise DomainError("请填写问题。", field="title")
    if criterion is not None and criterion.sheet_id != site.sheet_id:
        raise DomainError("评分项不属于该点位的评分表。", field="criterion")
    finding = Finding.objects.create(
        tour=tour,
        site=site,
        county=site.county,
        criterion=criterion,
        title=title.strip()[:120],
        description=description.strip(),
        category=category,
        deadline=deadline,
        created_by=actor,
    )
    _to_ledger(actor, finding)
    record_event(
        actor=actor,
        action="inspections.finding.create",
        obj=finding,
        organisation=site.county,
        after=snapshot(finding),
    )
    return finding


def _draft(actor: User, finding: Finding) -> Finding:
    _organiser(actor, finding.tour)
    locked = Finding.objects.select_for_update().get(pk=finding.pk)
    if locked.status != Finding.Status.DRAFT:
        raise InvalidTransition(f"该问题已是“{locked.get_status_display()}”状态。")
    return locked


@transaction.atomic(durable=True)
def confirm_finding(
    *,
    actor: User,
    finding: Finding,
    category: ProblemCategory | None = None,
    deadline: dt.date | None = None,
    title: str = "",
) -> Finding:
    """The organiser confirms a proposed finding: it becomes a problem in the ledger."""
    finding = _draft(actor, finding)
    before = snapshot(finding)
    if title.strip():
        finding.title = title.strip()[:120]
        finding.save(update_fields=["title"])
    finding.category = category
    finding.deadline = deadline
    _to_ledger(actor, finding)
    b, a = diff(before, snapshot(finding))
    record_event(
        actor=actor,
        action="inspections.finding.confirm",
        obj=finding,
        organisation=finding.county,
        before=b,
        after=a,
    )
    return finding


@transaction.atomic(durable=True)
def dismiss_finding(*, actor: User, finding: Finding, reason: str) -> Finding:
    """The organiser decides a proposed finding is not a problem (the reason is audited)."""
    finding = _draft(actor, finding)
    if not reason.strip():
        raise DomainError("请填写不予交办的理由。", field="reason")
    finding.status = Finding.Status.DISMISSED
    finding.save(update_fields=["status"])
    record_event(
        actor=actor,
        action="inspections.finding.dismiss",
        obj=finding,
        organisation=finding.county,
        before={"status": Finding.Status.DRAFT},
        after={"status": Finding.Status.DISMISSED},
        reason=reason.strip(),
    )
    return finding


# --- Score sheets ----------------------------------------------------------------------------


def _sheet_editable(sheet: ScoreSheet) -> None:
    """A sheet scored in a tour that has started keeps its criteria (past results rely on
    them): copy it and change the copy instead."""
    started = (
        Tour.objects.exclude(status=S.PLANNING)
        .filter(sites__sheet=sheet)
        .values_list("name", flat=True)
        .first()
    )
    if started is not None:
        raise InvalidTransition(
            f"“{sheet.name}”已在“{started}”中使用，不能再修改；请复制一份后修改副本。"
        )


@transaction.atomic(durable=True)
def save_criterion(
    *,
    actor: User,
    sheet: ScoreSheet,
    criterion: Criterion | None = None,
    name: str,
    max_points: Decimal,
    guidance: str = "",
    sort_order: int | None = None,
) -> Criterion:
    """Add a criterion to a sheet or change one (督查员; not on a sheet already scored)."""
    require_role(actor, Role.SUPERVISOR)
    _sheet_editable(sheet)
    if max_points % HALF != 0:
        raise DomainError("满分必须是0.5分的整数倍。", field="max_points")
    if criterion is not None and criterion.sheet_id != sheet.pk:
        raise DomainError("评分项不属于该评分表。")
    before = snapshot(criterion) if criterion is not None else None
    if criterion is None:
        last = sheet.criteria.order_by("-sort_order").values_list("sort_order", flat=True).first()
        criterion = Criterion(
            sheet=sheet,
            code=f"c{sheet.criteria.count() + 1}",
            sort_order=(last or 0) + 10 if sort_order is None else sort_order,
        )
    elif sort_order is not None:
        criterion.sort_order = sort_order
    criterion.name = name.strip()
    criterion.max_points = max_points
    criterion.guidance = guidance.strip()
    full_clean_or_raise(criterion)
    criterion.save()
    after = snapshot(criterion)
    if before is not None:
        before, after = diff(before, after)
    record_event(
        actor=actor,
        action="inspections.sheet.update",
        obj=criterion,
        organisation=actor.organisation,
        before=before,
        after=after,
        object_repr=f"{sheet.name} · {criterion.name}",
    )
    return criterion


@transaction.atomic(durable=True)
def copy_sheet(*, actor: User, sheet: ScoreSheet, code: str, name: str) -> ScoreSheet:
    """Copy a sheet with its criteria (to change a sheet already used in a tour)."""
    require_role(actor, Role.SUPERVISOR)
    copy = ScoreSheet(code=code.strip(), name=name.strip(), kind=sheet.kind)
    full_clean_or_raise(copy)
    copy.save()
    Criterion.objects.bulk_create(
        Criterion(
            sheet=copy,
            code=c.code,
            name=c.name,
            max_points=c.max_points,
            guidance=c.guidance,
            sort_order=c.sort_order,
        )
        for c in sheet.criteria.all()
    )
    record_event(
        actor=actor,
        action="inspections.sheet.copy",
        obj=copy,
        organisation=actor.organisation,
        after={**snapshot(copy), "copied_from": sheet.code},
    )
    return copy
