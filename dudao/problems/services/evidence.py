"""问题台账 writes (`dudao.problems.services`): evidence."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
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
from dudao.core.snapshot import snapshot
from dudao.core.uploads import (
    clean_document,
    clean_photo,
    safe_name,
)
from dudao.problems.models import Problem, ProblemEvidence

if TYPE_CHECKING:
    from dudao.accounts.models import User
from dudao.problems.services._base import ISSUER_ROLES, PHOTO_EXTENSIONS, A, S
from dudao.problems.services._helpers import _actor_org, _event, _lock, is_fixer

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
