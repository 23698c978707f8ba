"""Writes to the problem ledger. Every function is one transaction with one audit event and
one timeline entry (ProblemEvent).

The workflow (domain-research §4.6):

    交办 assigned ──start──▶ 整改中 fixing ──apply──▶ 申请销号 applied ──verify──▶ 核查 verifying
                                 ▲                      │  │                        │   │
                                 └──────return──────────┘  └─────────close──────────┴───┘──▶ 已销号
                                 └──────────────────────────reopen───────────────────────────┘

* start / progress / apply: 填报员 or 审核员 whose data scope holds the responsible unit;
  apply needs at least one 整改后 photo or file.
* verify / close / return: 督查员 or 审核员 of an organisation *other than* the one that fixed it
  — neither the responsible unit nor one of its sub-units, nor the unit that applied.
* reopen: 督查员, with a reason and a new deadline; counted (`reopen_count`), as returns are.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.exceptions import (
    DomainError,
    InvalidTransition,
    NotAllowed,
    full_clean_or_raise,
)
from dudao.core.policies import require_role
from dudao.core.snapshot import diff, snapshot
from dudao.core.uploads import (
    MAX_DOCUMENT_BYTES,
    MAX_PHOTO_BYTES,
    clean_document,
    clean_photo,
    safe_name,
)
from dudao.core.versions import check_version
from dudao.parks.selectors import park_in_scope
from dudao.problems import rules
from dudao.problems.models import Problem, ProblemCategory, ProblemEvent, ProblemEvidence

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.core.imports import ImportReport
    from dudao.orgs.models import Organisation
    from dudao.parks.models import Park
    from dudao.projects.models import Project

S = Problem.Status
A = ProblemEvent.Action

ISSUER_ROLES = (Role.SUPERVISOR, Role.JUDGE, Role.REVIEWER)
FIXER_ROLES = (Role.REPORTER, Role.REVIEWER)
VERIFIER_ROLES = (Role.SUPERVISOR, Role.REVIEWER)
REOPEN_ROLES = (Role.SUPERVISOR,)

PHOTO_EXTENSIONS = frozenset({"jpg", "jpeg", "png", "webp"})
MAX_UPLOAD_BYTES = max(MAX_PHOTO_BYTES, MAX_DOCUMENT_BYTES)


@dataclass(frozen=True)
class Transition:
    """One workflow step: the states it leaves from, the state it reaches, who may take it."""

    action: str
    label: str
    sources: frozenset[str]
    target: str
    side: str  # "fixer" | "verifier" | "supervisor"
    needs_note: bool


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(A.START, "签收并开始整改", frozenset({S.ASSIGNED}), S.FIXING, "fixer", False),
        Transition(A.PROGRESS, "报送整改进展", frozenset({S.FIXING}), S.FIXING, "fixer", True),
        Transition(A.APPLY, "申请销号", frozenset({S.FIXING}), S.APPLIED, "fixer", True),
        Transition(A.VERIFY, "开始核查", frozenset({S.APPLIED}), S.VERIFYING, "verifier", False),
        Transition(
            A.CLOSE,
            "核查通过，销号",
            frozenset({S.APPLIED, S.VERIFYING}),
            S.CLOSED,
            "verifier",
            True,
        ),
        Transition(
            A.RETURN, "退回整改", frozenset({S.APPLIED, S.VERIFYING}), S.FIXING, "verifier", True
        ),
        Transition(A.REOPEN, "重新打开", frozenset({S.CLOSED}), S.FIXING, "supervisor", True),
    )
}

NOTE_LABELS: dict[str, str] = {
    A.PROGRESS: "请填写整改进展。",
    A.APPLY: "请填写整改完成情况说明。",
    A.CLOSE: "请填写核查意见。",
    A.RETURN: "请填写退回原因。",
    A.REOPEN: "请填写重新打开的原因。",
}

EDITABLE_FIELDS = (
    "source",
    "source_ref",
    "category",
    "title",
    "description",
    "severity",
    "county",
    "responsible_org",
    "project",
    "park",
    "deadline",
    "found_on",
    "measures",
    "responsible_person",
)


# --- helpers -----------------------------------------------------------------------------------


def next_problem_code(year: int) -> str:
    """WT2026-00001, WT2026-00002 … (numbered per year; called under the write lock)."""
    prefix = f"WT{year}-"
    last = (
        Problem.objects.filter(code__startswith=prefix)
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:05d}"


def default_deadline(category: ProblemCategory, start: dt.date) -> dt.date:
    """The category's time limit (SLA) from `start`, in 工作日 or 自然日 as the category says."""
    return rules.default_deadline(category.sla_unit, category.sla_days, start)


def county_of(org: Organisation) -> Organisation | None:
    """The county (县（市、区）政府) that `org` is or lies under, if any (one query)."""
    from dudao.orgs.models import Organisation

    segments = org.path.split(".")[:-1]
    prefixes = [".".join(segments[:n]) + "." for n in range(1, len(segments) + 1)]
    return (
        Organisation.objects.filter(path__in=prefixes, kind=Organisation.Kind.COUNTY_GOV)
        .order_by("-depth")
        .first()
    )


def _actor_org(actor: User) -> Organisation:
    if actor.organisation is None:
        raise DomainError("您的账户未归属任何单位，不能办理问题。")
    return actor.organisation


def _in_scope(actor: User, org: Organisation) -> bool:
    """True when `org` lies in the actor's data scope."""
    return org.path.startswith(_actor_org(actor).scope_path)


def _check_org_in_scope(actor: User, org: Organisation | None, field: str, label: str) -> None:
    if org is None:
        return
    if not org.is_active:
        raise DomainError(f"{label}“{org.name}”已停用。", field=field)
    if not _in_scope(actor, org):
        raise DomainError(f"{label}“{org.name}”不在您的数据范围内。", field=field)


def _check_park_in_scope(actor: User, park: Park | None) -> None:
    """A problem may be linked only to a park in the actor's scope (`dudao.parks.selectors`)."""
    if park is not None and park_in_scope(actor, park.pk) is None:
        raise DomainError("关联园区不在您的数据范围内。", field="park")


def _check_deadline(deadline: dt.date, today: dt.date) -> None:
    if deadline < today:
        raise DomainError(
            f"整改时限（{deadline:%Y-%m-%d}）不能早于今天（{today:%Y-%m-%d}）。", field="deadline"
        )


def _lock(actor: User, problem: Problem | int, version: int | None) -> Problem:
    """Re-read the problem in the actor's scope with a row lock; refuse a stale version."""
    pk = problem.pk if isinstance(problem, Problem) else problem
    locked = Problem.objects.visible_to(actor).select_for_update().filter(pk=pk).first()
    if locked is None:
        raise Http404("问题不存在或不在您的数据范围内。")
    check_version(locked, version, what=f"问题（{locked.code}）")
    return locked


def _event(
    problem: Problem, actor: User | None, action: str, *, note: str = "", before: str = ""
) -> ProblemEvent:
    return ProblemEvent.objects.create(
        problem=problem,
        action=action,
        from_status=before,
        to_status=problem.status,
        note=note,
        actor=actor,
        organisation=actor.organisation if actor is not None else None,
    )


def _save(problem: Problem) -> Problem:
    problem.version = F("version") + 1
    problem.updated_at = timezone.now()
    problem.save()
    problem.refresh_from_db()
    return problem


def is_fixer(actor: User, problem: Problem) -> bool:
    """True when the actor may act for the responsible unit (its data scope holds that unit)."""
    org = actor.organisation
    return (
        org is not None
        and actor.has_role(*FIXER_ROLES)
        and problem.responsible_org.path.startswith(org.scope_path)
    )


def verifier_refusal(actor: User, problem: Problem) -> str | None:
    """Why the actor's organisation may not verify this problem, or None when it may."""
    org = actor.organisation
    responsible = problem.responsible_org
    if org.path.startswith(responsible.path):
        return (
            f"核查必须由整改单位以外的单位进行：您所在的“{org.name}”是本问题的责任单位"
            f"“{responsible.name}”{'' if org.pk == responsible.pk else '的下级单位'}，"
            "不能核查自己整改的问题。"
        )
    fixing = problem.fixing_org
    if fixing is not None and org.path.startswith(fixing.path):
        return (
            f"核查必须由整改单位以外的单位进行：本问题由“{fixing.name}”申请销号，"
            f"您所在的“{org.name}”不能核查。"
        )
    return None


def allowed_actions(actor: User, problem: Problem) -> list[Transition]:
    """The transitions the actor could take now (for showing buttons; services check again)."""
    result = []
    for transition in TRANSITIONS.values():
        if problem.status not in transition.sources:
            continue
        if transition.side == "fixer" and not is_fixer(actor, problem):
            continue
        if transition.side == "verifier" and (
            not actor.has_role(*VERIFIER_ROLES) or verifier_refusal(actor, problem)
        ):
            continue
        if transition.side == "supervisor" and not actor.has_role(*REOPEN_ROLES):
            continue
        result.append(transition)
    return result


def can_edit(actor: User, problem: Problem) -> bool:
    """Only the issuing side edits a problem's facts, and only while it is open."""
    org = actor.organisation
    return (
        problem.is_open
        and org is not None
        and actor.has_role(Role.SUPERVISOR, Role.REVIEWER)
        and problem.issuing_org.path.startswith(org.scope_path)
    )


# --- registering ---------------------------------------------------------------------------------


@transaction.atomic
def create_problem(
    *,
    actor: User,
    source: str,
    category: ProblemCategory,
    title: str,
    responsible_org: Organisation,
    deadline: dt.date | None = None,
    description: str = "",
    severity: str = Problem.Severity.GENERAL,
    county: Organisation | None = None,
    project: Project | None = None,
    park: Park | None = None,
    source_ref: str = "",
    issuing_org: Organisation | None = None,
    found_on: dt.date | None = None,
    measures: str = "",
    responsible_person: str = "",
) -> Problem:
    """Register a problem (交办). Without a deadline the category's time limit (SLA) applies,
    counted in 工作日 or 自然日 as the category says.

    Not durable on purpose: other modules' services register their problems inside their own
    transaction (an inspection finding, a monthly report's problem via the projects signal)."""
    require_role(actor, *ISSUER_ROLES)
    _actor_org(actor)
    today = timezone.localdate()
    if not category.is_active:
        raise DomainError(f"问题类别“{category.name}”已停用。", field="category")
    _check_org_in_scope(actor, responsible_org, "responsible_org", "责任单位")
    _check_park_in_scope(actor, park)
    if deadline is None:
        deadline = default_deadline(category, today)
    _check_deadline(deadline, today)
    if found_on is not None and found_on > today:
        raise DomainError("发现日期不能晚于今天。", field="found_on")
    if project is not None and county is None:
        county = project.county
    if county is None:
        county = county_of(responsible_org)
    problem = Problem(
        source=source,
        source_ref=source_ref,
        category=category,
        title=title.strip(),
        description=description.strip(),
        severity=severity,
        county=county,
        responsible_org=responsible_org,
        issuing_org=issuing_org or actor.organisation,
        project=project,
        park=park,
        deadline=deadline,
        deadline_unit=category.sla_unit,
        found_on=found_on or today,
        measures=measures.strip(),
        responsible_person=responsible_person.strip(),
        created_by=actor,
    )
    _insert_with_code(problem, today.year)
    record_event(
        actor=actor,
        action="problem.create",
        obj=problem,
        organisation=problem.responsible_org,
        after=snapshot(problem),
    )
    _event(
        problem, actor, A.CREATE, note=f"交办{responsible_org.name}，整改时限{deadline:%Y-%m-%d}"
    )
    return problem


def _insert_with_code(problem: Problem, year: int) -> None:
    """Validate and insert with the next free code; a concurrent insert retries the number."""
    problem.code = next_problem_code(year)
    full_clean_or_raise(problem, validate_unique=False)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                problem.save()
            return
        except IntegrityError:
            if problem.legacy_code and Problem.objects.filter(legacy_code=problem.legacy_code):
                raise DomainError(
                    f"原台账编号 {problem.legacy_code} 已登记。", field="legacy_code"
                ) from None
            problem.pk = None
            problem.code = next_problem_code(year)
    raise DomainError("问题编号分配冲突，请稍后重试。")


@transaction.atomic(durable=True)
def update_problem(
    *, actor: User, problem: Problem | int, version: int | None = None, **changes: Any
) -> Problem:
    """Change a problem's facts (issuing side, open problems only); stale edits → 409."""
    require_role(actor, Role.SUPERVISOR, Role.REVIEWER)
    locked = _lock(actor, problem, version)
    if not can_edit(actor, locked):
        if not locked.is_open:
            raise InvalidTransition("已销号的问题不能修改；如需继续整改，请“重新打开”。")
        raise NotAllowed("只有交办单位可以修改问题内容。")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"不可修改的字段：{'、'.join(sorted(unknown))}")
    today = timezone.localdate()
    if "deadline" in changes and changes["deadline"] != locked.deadline:
        _check_deadline(changes["deadline"], today)
    if "responsible_org" in changes and changes["responsible_org"] != locked.responsible_org:
        _check_org_in_scope(actor, changes["responsible_org"], "responsible_org", "责任单位")
    if "park" in changes and changes["park"] != locked.park:
        _check_park_in_scope(actor, changes["park"])
    _apply_changes(actor, locked, changes, action="problem.update", event=A.UPDATE)
    return locked


def _apply_changes(
    actor: User, locked: Problem, changes: dict[str, Any], *, action: str, event: str
) -> None:
    """Set `changes` on a locked problem, save, and record one audit event and one timeline
    entry naming the changed fields (nothing when nothing changed)."""
    before = snapshot(locked)
    if "category" in changes and changes["category"] != locked.category:
        locked.deadline_unit = changes["category"].sla_unit
    for field, value in changes.items():
        setattr(locked, field, value.strip() if isinstance(value, str) else value)
    full_clean_or_raise(locked, validate_unique=False)
    _save(locked)
    changed_before, changed_after = diff(before, snapshot(locked))
    if not changed_after:
        return
    record_event(
        actor=actor,
        action=action,
        obj=locked,
        organisation=locked.responsible_org,
        before=changed_before,
        after=changed_after,
    )
    labels = {f.attname: str(f.verbose_name) for f in Problem._meta.concrete_fields}
    _event(
        locked,
        actor,
        event,
        note="修改了：" + "、".join(labels.get(k, k) for k in changed_after),
        before=locked.status,
    )


# --- the workflow -------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def transition(
    *,
    actor: User,
    problem: Problem | int,
    action: str,
    version: int | None = None,
    note: str = "",
    deadline: dt.date | None = None,
) -> Problem:
    """Take one workflow step (see the module docstring). `deadline` is the new time limit of
    a reopened problem."""
    step = TRANSITIONS.get(action)
    if step is None:
        raise DomainError(f"未知的操作：{action}", field="action")
    if step.side == "fixer":
        require_role(actor, *FIXER_ROLES)
    elif step.side == "verifier":
        require_role(actor, *VERIFIER_ROLES)
    else:
        require_role(actor, *REOPEN_ROLES)
    locked = _lock(actor, problem, version)
    if locked.status not in step.sources:
        sources = "、".join(S(s).label for s in sorted(step.sources))
        raise InvalidTransition(
            f"问题当前为“{locked.get_status_display()}”，不能“{step.label}”"
            f"（只有“{sources}”状态的问题可以）。"
        )
    _check_side(actor, locked, step)
    note = note.strip()
    if step.needs_note and not note:
        raise DomainError(NOTE_LABELS[step.action], field="note")
    before = snapshot(locked)
    from_status = locked.status
    now = timezone.now()
    _apply(locked, step, actor, now, deadline)
    locked.status = step.target
    _save(locked)
    changed_before, changed_after = diff(before, snapshot(locked))
    record_event(
        actor=actor,
        action=f"problem.{step.action}",
        obj=locked,
        organisation=locked.responsible_org,
        before=changed_before,
        after=changed_after,
        reason=note,
    )
    _event(locked, actor, step.action, note=note, before=from_status)
    return locked


def _check_side(actor: User, problem: Problem, step: Transition) -> None:
    if step.side == "fixer" and not is_fixer(actor, problem):
        raise NotAllowed(
            f"只有责任单位“{problem.responsible_org.name}”（或其上级）的填报员、审核员"
            f"可以“{step.label}”。"
        )
    if step.side == "verifier":
        refusal = verifier_refusal(actor, problem)
        if refusal:
            raise NotAllowed(refusal)


def _apply(
    problem: Problem, step: Transition, actor: User, now: dt.datetime, deadline: dt.date | None
) -> None:
    """The field changes of one step (status itself is set by the caller)."""
    org = _actor_org(actor)
    if step.action == A.APPLY:
        if not problem.evidence.filter(stage=ProblemEvidence.Stage.AFTER).exists():
            raise DomainError("申请销号前请至少上传一份整改后的照片或佐证文件。", field="evidence")
        problem.fixing_org = org
        problem.applied_at = now
        problem.verifier_org = None
        problem.verified_by = None
    elif step.action in (A.VERIFY, A.CLOSE):
        problem.verifier_org = org
        problem.verified_by = actor
        if step.action == A.CLOSE:
            closed_on = timezone.localdate(now)
            late = rules.lateness(problem.deadline, closed_on, problem.deadline_unit)
            problem.closed_at = now
            problem.days_late = late
            problem.closed_on_time = late == 0
    elif step.action == A.RETURN:
        problem.return_count += 1
        problem.verifier_org = None
        problem.verified_by = None
    elif step.action == A.REOPEN:
        if deadline is None:
            raise DomainError("重新打开时请给出新的整改时限。", field="deadline")
        _check_deadline(deadline, timezone.localdate(now))
        problem.deadline = deadline
        problem.reopen_count += 1
        problem.closed_at = None
        problem.closed_on_time = None
        problem.days_late = None
        problem.verifier_org = None
        problem.verified_by = None
        problem.fixing_org = None
        problem.applied_at = None


# --- evidence -----------------------------------------------------------------------------------


def _extension(name: str) -> str:
    name = safe_name(name)
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


@transaction.atomic(durable=True)
def add_evidence(
    *,
    actor: User,
    problem: Problem | int,
    stage: str,
    data: bytes,
    filename: str,
    note: str = "",
) -> ProblemEvidence:
    """Attach a photo (re-encoded, EXIF stripped) or a PDF/Word/Excel file to a problem.

    整改前 material: the issuing side or the responsible side, while the problem is open.
    整改后 material: the responsible side, while 交办 or 整改中.
    """
    require_role(actor, Role.REPORTER, Role.REVIEWER, Role.SUPERVISOR, Role.JUDGE)
    locked = _lock(actor, problem, None)
    if stage not in ProblemEvidence.Stage.values:
        raise DomainError("请选择材料阶段（整改前或整改后）。", field="stage")
    fixer = is_fixer(actor, locked)
    if stage == ProblemEvidence.Stage.AFTER:
        if not fixer:
            raise NotAllowed("只有责任单位可以上传整改后的材料。")
        if locked.status not in (S.ASSIGNED, S.FIXING):
            raise InvalidTransition(
                f"问题当前为“{locked.get_status_display()}”，不能再上传整改后的材料。"
            )
    else:
        issuer = locked.issuing_org.path.startswith(_actor_org(actor).scope_path)
        if not (fixer or (issuer and actor.has_role(*ISSUER_ROLES))):
            raise NotAllowed("只有交办单位或责任单位可以上传整改前的材料。")
        if not locked.is_open:
            raise InvalidTransition("已销号的问题不能再上传材料。")
    if _extension(filename) in PHOTO_EXTENSIONS:
        clean = clean_photo(data, filename)
        kind = ProblemEvidence.Kind.PHOTO
    else:
        clean = clean_document(data, filename)
        kind = (
            ProblemEvidence.Kind.PHOTO
            if clean.content_type == "image/jpeg"
            else ProblemEvidence.Kind.DOCUMENT
        )
    today = timezone.localdate()
    ext = clean.name.rsplit(".", 1)[-1].lower()
    stored = default_storage.save(
        f"problems/{today:%Y/%m}/{uuid.uuid4().hex}.{ext}", ContentFile(clean.content)
    )
    try:
        evidence = ProblemEvidence(
            problem=locked,
            stage=stage,
            kind=kind,
            file=stored,
            original_name=clean.name,
            content_type=clean.content_type,
            size=len(clean.content),
            note=note.strip()[:200],
            uploaded_by=actor,
            organisation=_actor_org(actor),
        )
        full_clean_or_raise(evidence, validate_unique=False)
        evidence.save()
        record_event(
            actor=actor,
            action="problem.evidence",
            obj=evidence,
            organisation=locked.responsible_org,
            after={**snapshot(evidence), "file": evidence.file.name},
        )
        _event(
            locked,
            actor,
            A.EVIDENCE,
            note=f"{evidence.get_stage_display()}{evidence.get_kind_display()}：{clean.name}",
            before=locked.status,
        )
    except BaseException:
        default_storage.delete(stored)
        raise
    return evidence


# --- configuration ------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def update_category(
    *, actor: User, category: ProblemCategory, sla_days: int, sla_unit: str, is_active: bool
) -> ProblemCategory:
    """Change a category's time limit (SLA) and unit; applies to problems registered later."""
    require_role(actor, Role.SUPERVISOR)
    locked = ProblemCategory.objects.select_for_update().get(pk=category.pk)
    before = snapshot(locked)
    locked.sla_days = sla_days
    locked.sla_unit = sla_unit
    locked.is_active = is_active
    full_clean_or_raise(locked, validate_unique=False)
    if not 1 <= sla_days <= 3660:
        raise DomainError("默认整改时限应在 1 到 3660 之间。", field="sla_days")
    changed_before, changed_after = diff(before, snapshot(locked))
    if not changed_after:
        return locked
    locked.save()
    record_event(
        actor=actor,
        action="problem.category_update",
        obj=locked,
        before=changed_before,
        after=changed_after,
    )
    return locked


# --- import of existing ledgers (dudao.problems.importers) --------------------------------------

IMPORT_ROLES = (Role.SUPERVISOR, Role.REVIEWER)
# Every editable fact except the source record (imports write "导入：<原编号>" there).
IMPORT_COMPARED = tuple(f for f in EDITABLE_FIELDS if f != "source_ref")


@dataclass
class ImportPlan:
    rows: int
    creates: list[Any]
    updates: list[tuple[Problem, dict[str, Any]]]
    unchanged: int
    warnings: list[Any]


def plan_import(
    *,
    actor: User,
    rows: list[Any],
    existing: dict[str, Problem],
    today: dt.date,
    errors: list[Any],
) -> ImportPlan:
    """Decide, without writing, what each parsed row does: create, update or nothing."""
    from dudao.core.imports import RowError

    visible = set(
        Problem.objects.visible_to(actor)
        .filter(pk__in=[p.pk for p in existing.values()])
        .values_list("pk", flat=True)
    )
    plan = ImportPlan(rows=len(rows), creates=[], updates=[], unchanged=0, warnings=[])
    for row in rows:
        current = existing.get(row.legacy_code)
        if current is None:
            plan.creates.append(row)
            if row.status != S.CLOSED and row.values["deadline"] < today:
                plan.warnings.append(
                    RowError(row.number, "整改时限", "整改时限已过，导入后即显示为逾期。")
                )
            continue
        if current.pk not in visible:
            errors.append(
                RowError(row.number, "原台账编号", f"「{row.legacy_code}」已被其他单位的问题使用。")
            )
            continue
        changes = {
            k: v for k, v in row.values.items() if k in IMPORT_COMPARED and getattr(current, k) != v
        }
        if row.status != current.status:
            errors.append(
                RowError(
                    row.number,
                    "状态",
                    f"系统中该问题（{current.code}）已是“{current.get_status_display()}”，"
                    "状态只能在系统中办理，不能通过导入修改。",
                )
            )
            continue
        if not changes:
            plan.unchanged += 1
            continue
        if not current.is_open:
            errors.append(RowError(row.number, "", f"{current.code} 已销号，不能通过导入修改。"))
            continue
        plan.updates.append((current, changes))
    return plan


def apply_import(*, actor: User, plan: ImportPlan, dry_run: bool) -> ImportReport:
    """Write an import plan (the caller holds the transaction); one audit event per problem."""
    from dudao.core.imports import ImportReport

    report = ImportReport(
        kind="problems",
        rows=plan.rows,
        created=len(plan.creates),
        updated=len(plan.updates),
        unchanged=plan.unchanged,
        dry_run=dry_run,
        warnings=plan.warnings,
    )
    if dry_run:
        return report
    now = timezone.now()
    for row in plan.creates:
        values = dict(row.values)
        category = values["category"]
        problem = Problem(
            **values,
            source_ref=f"导入：{row.legacy_code}",
            legacy_code=row.legacy_code,
            issuing_org=actor.organisation,
            deadline_unit=category.sla_unit,
            status=row.status,
            created_by=actor,
        )
        if row.status == S.CLOSED:
            late = rules.lateness(problem.deadline, row.closed_on, problem.deadline_unit)
            problem.closed_at = timezone.make_aware(
                dt.datetime.combine(row.closed_on, dt.time(12, 0))
            )
            problem.days_late = late
            problem.closed_on_time = late == 0
        _insert_with_code(problem, timezone.localdate(now).year)
        record_event(
            actor=actor,
            action="problem.import",
            obj=problem,
            organisation=problem.responsible_org,
            after=snapshot(problem),
        )
        _event(problem, actor, A.IMPORT, note=f"自既有台账导入（原编号 {row.legacy_code}）")
    for problem, changes in plan.updates:
        locked = Problem.objects.select_for_update().get(pk=problem.pk)
        _apply_changes(actor, locked, changes, action="problem.import", event=A.IMPORT)
    return report
