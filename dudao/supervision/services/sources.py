"""督查督办 writes (`dudao.supervision.services`): sources."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.bounds import check_date
from dudao.core.exceptions import (
    DomainError,
    NotAllowed,
    full_clean_or_raise,
)
from dudao.core.policies import require_role
from dudao.core.snapshot import snapshot
from dudao.supervision.models import (
    TaskSource,
)

if TYPE_CHECKING:
    from dudao.accounts.models import User
from dudao.supervision.services._base import Upload
from dudao.supervision.services._helpers import _save_files

# --- sources -----------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def create_source(
    *,
    actor: User,
    kind: str,
    title: str,
    source_date: date,
    doc_number: str = "",
    leader_name: str = "",
    text: str = "",
    source_ref: str = "",
    files: Sequence[Upload] = (),
) -> TaskSource:
    """Register a meeting, document, 批示 or inspection finding, with attachments."""
    return _create_source(
        actor=actor,
        kind=kind,
        title=title,
        source_date=source_date,
        doc_number=doc_number,
        leader_name=leader_name,
        text=text,
        source_ref=source_ref,
        files=files,
    )


def _create_source(
    *,
    actor: User,
    kind: str,
    title: str,
    source_date: date,
    doc_number: str = "",
    leader_name: str = "",
    text: str = "",
    source_ref: str = "",
    files: Sequence[Upload] = (),
) -> TaskSource:
    """`create_source` inside a caller's transaction (the import, a leader's 批示)."""
    if not actor.has_role(Role.SUPERVISOR, Role.REVIEWER):
        # A leader registers only the leader's own 批示 (write_instruction).
        require_role(actor, Role.LEADER)
        if kind != TaskSource.Kind.INSTRUCTION or leader_name.strip() != actor.full_name:
            raise NotAllowed("领导只能登记本人的批示。")
    source = TaskSource(
        kind=kind,
        title=title.strip(),
        source_date=source_date,
        doc_number=doc_number.strip(),
        leader_name=leader_name.strip(),
        text=text.strip(),
        source_ref=source_ref.strip(),
        issuing_org=actor.organisation,
        created_by=actor,
    )
    if source.source_date is not None:
        check_date(source.source_date, label="来源日期", field="source_date")
    full_clean_or_raise(source)
    if kind == TaskSource.Kind.DOCUMENT and not source.doc_number:
        raise DomainError("文件来源必须填写文号。", field="doc_number")
    if kind == TaskSource.Kind.INSTRUCTION and not (source.leader_name and source.text):
        raise DomainError("领导批示必须填写批示领导和批示内容。", field="leader_name")
    source.save()
    _save_files(actor, files, organisation=actor.organisation, source=source)
    after = snapshot(source)
    after["attachments"] = [f.name for f in files]
    record_event(actor=actor, action="supervision.source_create", obj=source, after=after)
    return source
