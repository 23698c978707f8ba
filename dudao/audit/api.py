"""Audit events API: read-only, 审计管理员 only (enforced by the URL policy and the selector)."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from dudao.audit import selectors
from dudao.audit.models import AuditEvent
from dudao.core.bounds import Id
from dudao.core.pagination import Pagination

router = Router(tags=["审计"])


class AuditEventOut(Schema):
    id: int
    occurred_at: datetime
    actor_id: int | None
    actor_name: str
    organisation_id: int | None
    action: str
    action_label: str
    object_type: str
    object_id: str
    object_repr: str
    before: Any
    after: Any
    reason: str
    success: bool
    request_id: str
    ip: str | None


@router.get(
    "",
    response=list[AuditEventOut],
    url_name="audit_event_list",
    summary="审计事件（仅审计管理员）",
)
@paginate(Pagination)
def audit_event_list(
    request: HttpRequest,
    q: str = "",
    action: str = "",
    organisation: Id | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    object_type: str = "",
    object_id: str = "",
) -> object:
    return selectors.list_events(
        request.user,
        q=q,
        action=action,
        organisation=organisation,
        date_from=date_from,
        date_to=date_to,
        object_type=object_type,
        object_id=object_id,
    )


@router.get(
    "/{event_id}", response=AuditEventOut, url_name="audit_event_detail", summary="单个审计事件"
)
def audit_event_detail(request: HttpRequest, event_id: Id) -> AuditEvent:
    return selectors.get_event(request.user, event_id)
