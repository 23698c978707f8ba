"""督查督办 writes (`dudao.supervision.services`): helpers."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from dudao.accounts.roles import Role
from dudao.core.exceptions import (
    DomainError,
    NotAllowed,
)
from dudao.core.policies import require_role
from dudao.core.uploads import clean_document
from dudao.core.versions import check_version
from dudao.orgs.models import Organisation
from dudao.supervision import notify
from dudao.supervision.models import (
    Attachment,
    SupervisionTask,
    TaskFeedback,
    TaskSource,
)

if TYPE_CHECKING:
    from dudao.accounts.models import User
from dudao.supervision.services._base import MAX_FILES, Upload

# --- helpers -----------------------------------------------------------------------------------


def _in_subtree(org: Organisation | None, root: Organisation | None) -> bool:
    return org is not None and root is not None and org.path.startswith(root.path)


def _actor_scope(actor: User) -> str:
    return actor.organisation.scope_path if actor.organisation_id else "\x00"


def _lock_task(actor: User, task: SupervisionTask, version: int | None = None) -> SupervisionTask:
    """Re-read the task in the actor's scope, locked; refuse a stale version (409)."""
    locked = (
        SupervisionTask.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("lead_org", "issuing_org", "parent")
        .filter(pk=task.pk)
        .first()
    )
    if locked is None:
        raise NotAllowed("任务不存在或不在您的数据范围内。")
    check_version(locked, version, what="任务")
    return locked


def _bump(task: SupervisionTask, fields: list[str]) -> None:
    task.version = F("version") + 1
    task.updated_at = timezone.now()
    task.save(update_fields=[*fields, "version", "updated_at"])
    task.refresh_from_db()


def _save_files(
    actor: User,
    files: Sequence[Upload],
    *,
    organisation: Organisation,
    source: TaskSource | None = None,
    feedback: TaskFeedback | None = None,
) -> list[Attachment]:
    """Check every file first (nothing is written if one is refused), then store them."""
    if len(files) > MAX_FILES:
        raise DomainError(f"一次最多上传 {MAX_FILES} 个文件。", field="files")
    cleaned = [clean_document(f.data, f.name) for f in files]
    stored = []
    for c in cleaned:
        digest = hashlib.sha256(c.content).hexdigest()
        att = Attachment(
            source=source,
            feedback=feedback,
            organisation=organisation,
            name=c.name,
            content_type=c.content_type,
            size=len(c.content),
            sha256=digest,
            uploaded_by=actor,
        )
        att.file.save(c.name, ContentFile(c.content), save=False)
        att.save()
        stored.append(att)
    return stored


def _today() -> date:
    return timezone.localdate()


def task_url(task: SupervisionTask) -> str:
    return reverse("supervision:task_detail", kwargs={"pk": task.pk})


def _tell(task: SupervisionTask, *, issuer: bool, kind: str, title: str, body: str) -> None:
    """Notify the issuing office (督查员/审核员) or the lead unit (填报员/审核员) of a step."""
    unit, roles = (
        (task.issuing_org, notify.ISSUER_ROLES)
        if issuer
        else (task.lead_org, notify.RESPONSIBLE_ROLES)
    )
    notify.to_units([unit], kind=kind, title=title, body=body, url=task_url(task), roles=roles)


def can_verify(actor: User, task: SupervisionTask) -> bool:
    """The issuing office (in the actor's scope) verifies; never the responsible unit itself."""
    if not actor.is_active or not actor.has_role(Role.SUPERVISOR, Role.REVIEWER):
        return False
    if not task.issuing_org.path.startswith(_actor_scope(actor)):
        return False
    return not _in_subtree(actor.organisation, task.lead_org)


def _require_verifier(actor: User, task: SupervisionTask) -> None:
    require_role(actor, Role.SUPERVISOR, Role.REVIEWER)
    if _in_subtree(actor.organisation, task.lead_org):
        raise NotAllowed("核查不能由责任单位自己完成，须由交办单位核查。")
    if not can_verify(actor, task):
        raise NotAllowed("只有交办单位可以审批或核查该任务。")


def _require_responsible(actor: User, task: SupervisionTask) -> None:
    require_role(actor, Role.REPORTER, Role.REVIEWER)
    if task.lead_org is None or not task.lead_org.path.startswith(_actor_scope(actor)):
        raise NotAllowed("只有责任单位可以填报该任务。")
