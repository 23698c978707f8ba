"""Writes of 年度目标: each in one transaction with its audit event.

* `import_sheet` — the Excel sheet the city already sends (see importers.py), all-or-nothing;
  the same file twice changes nothing; a sheet already 下达 is not changed by a file (a change
  after approval is made row by row, with a reason).
* `approve_set` — 下达: the sheet counts in the cockpit and the ranking from now on.
* `update_row` — an edit; after approval a reason is required and goes into the audit log.
* `set_classes` — the classes (一类/二类/三类) of a year, by a list.
* `create_improvement` — one action: a weak link becomes an issued 督查督办 task (owner,
  deadline, measure) through 督查督办's own service, linked to the row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.bounds import check_date
from dudao.core.exceptions import DomainError, NotAllowed, full_clean_or_raise
from dudao.core.policies import require_role
from dudao.core.snapshot import snapshot
from dudao.core.versions import check_version
from dudao.orgs.models import Organisation
from dudao.stats import selectors as stats
from dudao.supervision import services as supervision
from dudao.targets import rules
from dudao.targets.models import (
    Improvement,
    ProvinceRank,
    TargetIndicator,
    TargetRow,
    TargetSet,
    TargetSettings,
    UnitClass,
)

if TYPE_CHECKING:
    from dudao.accounts.models import User

EDITOR_ROLES = (Role.SUPERVISOR,)


@dataclass(frozen=True)
class SheetLine:
    """One parsed line of a sheet (the importer's output, the service's input)."""

    line: int
    unit: Organisation
    indicator: TargetIndicator
    kind: str
    target_value: Decimal
    weight: Decimal
    curve: tuple[Decimal, ...] = ()
    class_name: str = ""


@dataclass
class SheetPlan:
    """What importing a sheet changes (computed before writing; a dry run stops here)."""

    target_set: TargetSet | None
    created: list[SheetLine] = field(default_factory=list)
    updated: list[tuple[TargetRow, SheetLine]] = field(default_factory=list)
    unchanged: int = 0
    class_changes: dict[str, list[Organisation]] = field(default_factory=dict)


def _check_editor(actor: User) -> None:
    require_role(actor, *EDITOR_ROLES)


def _level(issuer: Organisation) -> str:
    if issuer.kind == Organisation.Kind.PROVINCE_GOV:
        return TargetSet.Level.PROVINCE_TO_CITY
    return TargetSet.Level.CITY_TO_COUNTY


def _curve_json(curve: Sequence[Decimal]) -> list[str]:
    return [f"{v:f}" for v in curve]


def _same(row: TargetRow, line: SheetLine) -> bool:
    return (
        row.kind == line.kind
        and Decimal(row.target_value) == line.target_value
        and Decimal(row.weight) == line.weight
        and [Decimal(str(v)) for v in (row.curve or [])] == list(line.curve)
    )


def plan_sheet(*, year: int, issuer: Organisation, lines: Sequence[SheetLine]) -> SheetPlan:
    """Compare a parsed sheet with what is stored (no write)."""
    target_set = TargetSet.objects.filter(year=year, issuer=issuer).first()
    plan = SheetPlan(target_set)
    existing: dict[tuple[int, int, str], TargetRow] = {}
    if target_set is not None:
        existing = {(r.unit_id, r.indicator_id, r.kind): r for r in target_set.rows.all()}
    for line in lines:
        row = existing.get((line.unit.pk, line.indicator.pk, line.kind))
        if row is None:
            plan.created.append(line)
        elif _same(row, line):
            plan.unchanged += 1
        else:
            plan.updated.append((row, line))
    wanted: dict[str, set[int]] = {}
    for line in lines:
        if line.class_name:
            wanted.setdefault(line.class_name, set()).add(line.unit.pk)
    for name, unit_ids in wanted.items():
        current = UnitClass.objects.filter(year=year, owner=issuer, name=name).first()
        have = set(current.members.values_list("pk", flat=True)) if current else set()
        if not unit_ids <= have:
            plan.class_changes[name] = [line.unit for line in lines if line.unit.pk in unit_ids]
    return plan


@transaction.atomic(durable=True)
def import_sheet(
    *,
    actor: User,
    year: int,
    issuer: Organisation,
    document: str,
    title: str,
    lines: Sequence[SheetLine],
) -> SheetPlan:
    """Write a parsed sheet (the importer validated every cell): create the set if needed,
    add new rows, update changed ones; a 下达 set is never changed by a file."""
    _check_editor(actor)
    plan = plan_sheet(year=year, issuer=issuer, lines=lines)
    target_set = plan.target_set
    changes = plan.created or plan.updated or plan.class_changes
    if (
        target_set is not None
        and target_set.status == TargetSet.Status.APPROVED
        and (plan.created or plan.updated)
    ):
        raise DomainError("该目标表已下达，不能用文件修改；请在目标表页面逐行修改并填写修改理由。")
    if not changes:
        return plan
    if target_set is None:
        target_set = TargetSet(
            year=year,
            issuer=issuer,
            level=_level(issuer),
            document=document,
            title=title or f"{year}年{issuer.name}下达目标任务",
        )
        full_clean_or_raise(target_set)
        target_set.save()
        plan.target_set = target_set
    rows = [
        TargetRow(
            target_set=target_set,
            unit=line.unit,
            indicator=line.indicator,
            kind=line.kind,
            target_value=line.target_value,
            weight=line.weight,
            curve=_curve_json(line.curve),
        )
        for line in plan.created
    ]
    TargetRow.objects.bulk_create(rows, batch_size=500)
    for row, line in plan.updated:
        row.kind = line.kind
        row.target_value = line.target_value
        row.weight = line.weight
        row.curve = _curve_json(line.curve)
        row.version += 1
        row.updated_at = timezone.now()
        row.save(update_fields=["kind", "target_value", "weight", "curve", "version", "updated_at"])
    for name, members in plan.class_changes.items():
        uc, _ = UnitClass.objects.get_or_create(
            year=year, owner=issuer, name=name, defaults={"sort_order": _class_order(name)}
        )
        uc.members.add(*members)
    record_event(
        actor=actor,
        action="targets.import",
        obj=target_set,
        organisation=actor.organisation,
        after={
            "year": year,
            "document": target_set.document,
            "created": len(plan.created),
            "updated": len(plan.updated),
            "classes": sorted(plan.class_changes),
        },
    )
    return plan


def _class_order(name: str) -> int:
    for i, prefix in enumerate("一二三四五六七八九十", start=1):
        if name.startswith(prefix):
            return i
    return 99


@transaction.atomic(durable=True)
def approve_set(*, actor: User, target_set: TargetSet, version: int | None = None) -> TargetSet:
    """下达: from now on the sheet counts, and a change needs a reason."""
    _check_editor(actor)
    locked = TargetSet.objects.select_for_update().get(pk=target_set.pk)
    check_version(locked, version, what="目标表")
    if locked.status == TargetSet.Status.APPROVED:
        raise DomainError("该目标表已下达。")
    if not locked.rows.exists():
        raise DomainError("目标表没有任何目标，不能下达。")
    before = snapshot(locked)
    locked.status = TargetSet.Status.APPROVED
    locked.approved_at = timezone.now()
    locked.version += 1
    locked.save(update_fields=["status", "approved_at", "version"])
    record_event(
        actor=actor,
        action="targets.set_approve",
        obj=locked,
        organisation=actor.organisation,
        before=before,
        after=snapshot(locked),
    )
    return locked


ROW_FIELDS = ("target_value", "weight", "kind", "curve")


@transaction.atomic(durable=True)
def update_row(
    *,
    actor: User,
    row: TargetRow,
    version: int | None = None,
    reason: str = "",
    **changes: Any,
) -> TargetRow:
    """Edit a row's target value, weight, kind or monthly curve; after 下达 a reason is
    required and recorded with the before/after values in the audit log."""
    _check_editor(actor)
    unknown = set(changes) - set(ROW_FIELDS)
    if unknown:
        raise DomainError(f"不可修改的字段：{'、'.join(sorted(unknown))}")
    locked = TargetRow.objects.select_for_update().select_related("target_set").get(pk=row.pk)
    check_version(locked, version, what="目标")
    approved = locked.target_set.status == TargetSet.Status.APPROVED
    reason = (reason or "").strip()
    if approved and not reason:
        raise DomainError("该目标表已下达，修改目标必须填写修改理由。", field="reason")
    if len(reason) > 200:
        raise DomainError("修改理由不能超过200个字。", field="reason")
    if "curve" in changes:
        curve = changes["curve"] or []
        problem = rules.check_curve(curve)
        if problem:
            raise DomainError(problem, field="curve")
        changes["curve"] = [f"{Decimal(str(v)):f}" for v in curve]
    if "kind" in changes and changes["kind"] not in TargetRow.Kind.values:
        raise DomainError("目标类型应为绝对量、增速、个数或占比。", field="kind")
    before = snapshot(locked)
    for name, value in changes.items():
        setattr(locked, name, value)
    full_clean_or_raise(locked)
    if snapshot(locked) == before:
        return locked
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save()
    record_event(
        actor=actor,
        action="targets.row_update",
        obj=locked,
        before=before,
        after=snapshot(locked),
        reason=reason,
    )
    return locked


@transaction.atomic(durable=True)
def set_classes(
    *, actor: User, year: int, classes: Mapping[str, Sequence[Organisation]], basis: str = ""
) -> list[UnitClass]:
    """Replace the classes the actor's unit set for `year` (name → member units, by a list)."""
    _check_editor(actor)
    owner = actor.organisation
    visible = Organisation.objects.visible_to(actor)
    seen: dict[int, str] = {}
    for name, members in classes.items():
        if not name.strip() or len(name.strip()) > 20:
            raise DomainError("分类名称不能为空，且不超过20个字。", field="classes")
        for m in members:
            if not visible.filter(pk=m.pk).exists():
                raise DomainError(f"{m.name}不在您的数据范围内。", field="classes")
            if m.pk in seen:
                raise DomainError(f"{m.name}同时在“{seen[m.pk]}”和“{name}”中。", field="classes")
            seen[m.pk] = name
    before = {
        c.name: sorted(c.members.values_list("pk", flat=True))
        for c in UnitClass.objects.filter(year=year, owner=owner)
    }
    UnitClass.objects.filter(year=year, owner=owner).delete()
    out = []
    for order, (name, members) in enumerate(classes.items(), start=1):
        uc = UnitClass.objects.create(
            year=year, owner=owner, name=name.strip(), sort_order=order, basis=basis[:120]
        )
        uc.members.set(members)
        out.append(uc)
    record_event(
        actor=actor,
        action="targets.classes_update",
        organisation=owner,
        object_repr=f"{year}年目标分类",
        before=before,
        after={name: sorted(m.pk for m in members) for name, members in classes.items()},
    )
    return out


def split_by_size(
    *,
    actor: User,
    year: int,
    indicator_code: str,
    names: Sequence[str],
    units: Sequence[Organisation],
) -> dict[str, list[Organisation]]:
    """Classes by size: `units` ordered by last year's value of a statistics indicator (largest
    first, through the statistics module's selector) and cut into len(names) nearly equal
    groups; a unit without that value goes to the last class. No write."""
    if not names:
        raise DomainError("请至少填写一个分类名称。", field="classes")
    if not stats.indicator_exists(indicator_code):
        raise DomainError(f"统计指标库中没有指标“{indicator_code}”。", field="indicator")
    values = stats.unit_figures(actor, indicator_code, date(year - 1, 12, 1), [u.pk for u in units])
    ordered = sorted(
        units, key=lambda u: (u.pk not in values, -(values[u.pk].value if u.pk in values else 0))
    )
    size = -(-len(ordered) // len(names))
    return {name: ordered[i * size : (i + 1) * size] for i, name in enumerate(names)}


@transaction.atomic(durable=True)
def update_settings(
    *, actor: User, version: int | None = None, **values: Decimal
) -> TargetSettings:
    """Change the light and weak-link thresholds (data, audited)."""
    _check_editor(actor)
    s = TargetSettings.current()
    s = TargetSettings.objects.select_for_update().get(pk=s.pk)
    check_version(s, version, what="阈值设置")
    allowed = {f.name for f in TargetSettings._meta.fields} - {"id", "version", "updated_at"}
    unknown = set(values) - allowed
    if unknown:
        raise DomainError(f"不可修改的字段：{'、'.join(sorted(unknown))}")
    before = snapshot(s)
    for k, v in values.items():
        setattr(s, k, v)
    full_clean_or_raise(s)
    if s.yellow_from > s.red_above or s.rate_yellow_from > s.rate_red_above:
        raise DomainError("黄灯起点不能大于红灯界限。")
    s.version += 1
    s.updated_at = timezone.now()
    s.save()
    record_event(
        actor=actor,
        action="targets.settings_update",
        obj=s,
        organisation=actor.organisation,
        before=before,
        after=snapshot(s),
    )
    return s


@transaction.atomic(durable=True)
def create_improvement(
    *,
    actor: User,
    row: TargetRow,
    year: int,
    month: int,
    owner: Organisation,
    deadline: date,
    measure: str,
    responsible_person: str = "",
    gap_display: str = "",
) -> Improvement:
    """One action: the weak link of `row` for `month` becomes an issued 督查督办 task for
    `owner` (the measure is the task's work, closing the gap its goal), linked to the row."""
    return _create_improvement(
        actor=actor,
        row=row,
        year=year,
        month=month,
        owner=owner,
        deadline=deadline,
        measure=measure,
        responsible_person=responsible_person,
        gap_display=gap_display,
    )


def _create_improvement(
    *,
    actor: User,
    row: TargetRow,
    year: int,
    month: int,
    owner: Organisation,
    deadline: date,
    measure: str,
    responsible_person: str = "",
    gap_display: str = "",
) -> Improvement:
    """`create_improvement` inside a caller's transaction (the demo generator)."""
    require_role(actor, Role.SUPERVISOR)
    measure = (measure or "").strip()
    if not measure:
        raise DomainError("请填写改进措施。", field="measure")
    if len(measure) > 1000:
        raise DomainError("改进措施不能超过1000个字。", field="measure")
    check_date(deadline, label="完成时限", field="deadline")
    if deadline < timezone.localdate():
        raise DomainError("完成时限不能早于今天。", field="deadline")
    if not TargetRow.objects.visible_to(actor).filter(pk=row.pk).exists():
        raise NotAllowed("该目标不在您的数据范围内。")
    if Improvement.objects.filter(row=row, year=year, month=month).exists():
        raise DomainError("该薄弱环节本月已转为整改任务。")
    row = TargetRow.objects.select_related("target_set", "unit", "indicator").get(pk=row.pk)
    ts = row.target_set
    unit_name = row.unit.short_name or row.unit.name
    source = supervision._create_source(
        actor=actor,
        kind="document" if ts.document else "other",
        title=f"{ts.year}年目标任务分类排队·薄弱环节"[:120],
        source_date=timezone.localdate(),
        doc_number=ts.document,
        source_ref=f"targets.row:{row.pk}",
    )
    gap = f"（{year}年1–{month}月{gap_display}）" if gap_display else ""
    task = supervision._create_task(
        actor=actor,
        source=source,
        title=f"{unit_name}{row.indicator.name}目标整改"[:120],
        content=measure,
        goal=f"补齐{row.indicator.name}年度目标差距{gap}，确保完成全年目标任务。",
        lead_org=owner,
        responsible_person=responsible_person.strip()[:40],
        deadline=deadline,
        issue=True,
    )
    link = Improvement(row=row, year=year, month=month, task=task, created_by=actor)
    full_clean_or_raise(link, exclude=["row", "task", "created_by"])
    link.save()
    record_event(
        actor=actor,
        action="targets.improvement_task",
        obj=link,
        after={"row": row.pk, "year": year, "month": month, "task": task.code, "measure": measure},
    )
    return link


@dataclass(frozen=True)
class RankLine:
    """One published rank (the importer's output)."""

    line: int
    year: int
    month: int
    unit: Organisation
    indicator: TargetIndicator
    rank: int
    of: int | None


def plan_ranks(lines: Sequence[RankLine]) -> tuple[list[RankLine], list[RankLine], int]:
    """(new, changed, unchanged) against what is stored."""
    new, changed, same = [], [], 0
    for line in lines:
        found = ProvinceRank.objects.filter(
            year=line.year, month=line.month, unit=line.unit, indicator=line.indicator
        ).first()
        if found is None:
            new.append(line)
        elif (found.rank, found.of) == (line.rank, line.of):
            same += 1
        else:
            changed.append(line)
    return new, changed, same


@transaction.atomic(durable=True)
def import_province_ranks(*, actor: User, lines: Sequence[RankLine]) -> tuple[int, int, int]:
    """Store the ranks the province published (never computed here); the same file twice
    changes nothing. Returns (created, updated, unchanged)."""
    _check_editor(actor)
    new, changed, same = plan_ranks(lines)
    for line in [*new, *changed]:
        ProvinceRank.objects.update_or_create(
            year=line.year,
            month=line.month,
            unit=line.unit,
            indicator=line.indicator,
            defaults={"rank": line.rank, "of": line.of},
        )
    if new or changed:
        record_event(
            actor=actor,
            action="targets.ranks_import",
            organisation=actor.organisation,
            object_repr="全省可比位次",
            after={"created": len(new), "updated": len(changed)},
        )
    return len(new), len(changed), same
