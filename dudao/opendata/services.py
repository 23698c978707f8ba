"""Write-side services of the opendata app: one transaction and one audit event per change.

A supervisor decides which projects are public (one by one or a whole list at once) and which
fields are; a publication stores a release, a dated immutable snapshot of the public fields.
A later change of the project (or of the field classes) makes a new release at the next
publication or refresh, never an edit; a withdrawal takes the project out of every output."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from dudao.audit.services import record_event
from dudao.core.exceptions import DomainError
from dudao.core.policies import require_role
from dudao.core.roles import Role
from dudao.core.versions import check_version
from dudao.opendata import snapshot
from dudao.opendata.fields import BY_KEY
from dudao.opendata.models import FieldClass, PhotoClearance, Publication, Release

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.projects.models import Project

S = Publication.Status
BATCH = 500


def _projects(actor: User, project_ids: Iterable[int]) -> list[Project]:
    from dudao.projects.selectors import visible_projects

    ids = sorted(set(project_ids))
    found: list[Project] = []
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        found += (
            visible_projects(actor)
            .filter(pk__in=chunk)
            .select_related("county", "category", "park")
        )
    return found


def _release(
    actor: User, project: Project, keys: frozenset[str], period: snapshot.Period
) -> Release | None:
    """Store a new release when the public snapshot differs from the last one."""
    payload = snapshot.build(project, keys, period)
    digest = snapshot.digest(payload)
    last = Release.objects.filter(project=project).order_by("-seq").first()
    if last is not None and last.digest == digest:
        return None
    facts = payload["facts"]
    fields = payload["fields"]
    return Release.objects.create(
        project=project,
        seq=(last.seq + 1) if last else 1,
        released_by=actor,
        digest=digest,
        payload=payload,
        title=fields["name"],
        county_name=fields["county"],
        county_key=facts["county_code"] or f"o{project.county_id}",
        category_code=facts["category_code"],
        stage=facts["stage_code"],
        year=facts["start_year"],
        total_investment=fields.get("total_investment"),
    )


def _publish(actor: User, projects: list[Project]) -> int:
    """Publish (or republish) each project; returns how many releases were made."""
    keys, period = snapshot.public_keys(), snapshot.current_period()
    existing = {p.project_id: p for p in Publication.objects.filter(project__in=projects)}
    made = 0
    for project in projects:
        release = _release(actor, project, keys, period)
        made += release is not None
        pub = existing.get(project.pk)
        was = pub.status if pub else ""
        if pub is None:
            pub = Publication(project=project, decided_by=actor)
        if release is None and was == S.PUBLISHED:
            continue  # nothing new to say about this project
        pub.status = S.PUBLISHED
        pub.reason = ""
        pub.decided_by, pub.decided_at = actor, timezone.now()
        if release is not None:
            pub.current_release = release
        elif pub.current_release_id is None:  # pragma: no cover - a release always exists here
            raise DomainError("项目没有可公开的版本。")
        if pub.pk:
            pub.version += 1
        pub.save()
        record_event(
            actor=actor,
            action="opendata.publish",
            obj=pub,
            organisation=project.county,
            object_repr=project.name,
            before={"status": was} if was else None,
            after={"status": S.PUBLISHED, "release": pub.current_release_id},
        )
    return made


@transaction.atomic(durable=True)
def publish(*, actor: User, project_id: int) -> Publication:
    """Publish one project in the actor's scope (404 outside it); an unchanged project keeps
    its current release."""
    from dudao.projects.selectors import get_project

    project = get_project(actor, project_id)
    _publish(actor, [project])
    return Publication.objects.get(project=project)


@transaction.atomic(durable=True)
def publish_many(*, actor: User, project_ids: Iterable[int]) -> int:
    """Publish every listed project the actor can see (all or nothing); returns how many new
    releases were made."""
    projects = _projects(actor, project_ids)
    if not projects:
        raise DomainError("没有可公开的项目。")
    return _publish(actor, projects)


def _refresh(actor: User) -> int:
    from dudao.projects.selectors import visible_projects

    ids = Publication.objects.filter(
        status=S.PUBLISHED, project__in=visible_projects(actor).values("pk")
    ).values_list("project_id", flat=True)
    return _publish(actor, _projects(actor, list(ids)))


@transaction.atomic(durable=True)
def refresh(*, actor: User) -> int:
    """Make a new release of every published project (in scope) whose public data changed."""
    return _refresh(actor)


@transaction.atomic(durable=True)
def withdraw(
    *, actor: User, project_id: int, reason: str, version: int | None = None
) -> Publication:
    """Take a published project out of every public output; its releases stay (history)."""
    from dudao.projects.selectors import get_project

    project = get_project(actor, project_id)
    reason = reason.strip()
    if not reason:
        raise DomainError("请填写撤回原因。", field="reason")
    pub = Publication.objects.select_for_update().filter(project=project).first()
    if pub is None or pub.status != S.PUBLISHED:
        raise DomainError("该项目未公开，无需撤回。")
    if version is not None:
        check_version(pub, version, what="公开决定")
    pub.status, pub.reason = S.WITHDRAWN, reason[:300]
    pub.decided_by, pub.decided_at = actor, timezone.now()
    pub.version += 1
    pub.save()
    record_event(
        actor=actor,
        action="opendata.withdraw",
        obj=pub,
        organisation=project.county,
        object_repr=project.name,
        before={"status": S.PUBLISHED},
        after={"status": S.WITHDRAWN},
        reason=pub.reason,
    )
    return pub


@transaction.atomic(durable=True)
def set_field_class(
    *, actor: User, key: str, public: bool, version: int | None = None
) -> FieldClass:
    """Class one field public or internal, then refresh every published project so that no
    output shows a field that has just become internal."""
    spec = BY_KEY.get(key)
    row = FieldClass.objects.select_for_update().filter(key=key).first()
    if spec is None or row is None:
        raise DomainError("没有这个字段。", field="key")
    if version is not None:
        check_version(row, version, what="字段分类")
    if public and (spec.locked_internal or row.locked_internal):
        raise DomainError(f"“{spec.label}”属于个人信息或涉密信息，不得公开。")
    if not public and spec.required:
        raise DomainError(f"“{spec.label}”是公开名录必需的字段，不能设为内部。")
    if row.is_public == public:
        return row
    before = row.is_public
    row.is_public = public
    row.version += 1
    row.updated_at = timezone.now()
    row.save()
    record_event(
        actor=actor,
        action="opendata.field_class",
        obj=row,
        object_repr=row.label,
        before={"is_public": before},
        after={"is_public": public},
    )
    _refresh(actor)
    return row


@transaction.atomic(durable=True)
def set_photo_clearance(
    *,
    actor: User,
    project_id: int,
    photo_id: int,
    cleared: bool,
    caption: str = "",
    reason: str = "",
    version: int | None = None,
) -> PhotoClearance:
    """Clear one of a project's site photos for publication, or take the clearance back (with
    a reason). As for a field class, a published project gets its new release at once, so the
    public page and the photo's public address follow the decision immediately."""
    from dudao.projects.selectors import get_project, project_photos

    require_role(actor, Role.SUPERVISOR)
    project = get_project(actor, project_id)
    photo = project_photos(project).filter(pk=photo_id).first()
    if photo is None:
        raise DomainError("该项目没有这张照片。", field="photo")
    caption, reason = caption.strip()[:60], reason.strip()[:300]
    row = PhotoClearance.objects.select_for_update().filter(photo=photo).first()
    if row is None:
        row = PhotoClearance(photo=photo, project=project, decided_by=actor, version=0)
    check_version(row, version, what="照片公开决定")
    if not cleared and not row.cleared:
        raise DomainError("该照片未准许公开，无需撤销。")
    if not cleared and not reason:
        raise DomainError("请填写撤销公开的原因。", field="reason")
    before = {"cleared": row.cleared, "caption": row.caption} if row.pk else None
    if cleared and row.cleared and row.caption == caption:
        return row  # nothing changes
    row.cleared, row.caption = cleared, caption if cleared else row.caption
    row.reason = "" if cleared else reason
    row.decided_by, row.decided_at = actor, timezone.now()
    row.version += 1
    row.save()
    record_event(
        actor=actor,
        action="opendata.photo_clear" if cleared else "opendata.photo_unclear",
        obj=row,
        organisation=project.county,
        object_repr=f"{project.name}：{photo.report.year}年{photo.report.month}月现场照片",
        before=before,
        after={"cleared": cleared, "caption": row.caption, "photo_id": photo.pk},
        reason=row.reason,
    )
    pub = Publication.objects.filter(project=project, status=S.PUBLISHED).first()
    if pub is not None:
        _publish(actor, _projects(actor, [project.pk]))
    return row
