"""/api/v1 endpoints. Function names become URL names (api:<name>): keep them unique."""

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Router, Schema, Status
from ninja.errors import ValidationError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from dudao.core.apibody import body_doc, parse_body
from dudao.core.bounds import Id
from dudao.core.exceptions import DomainError
from dudao.core.http import AuthedHttpRequest
from dudao.core.pagination import Pagination
from dudao.orgs.models import Organisation
from dudao.supervision import selectors, services
from dudao.supervision.models import SupervisionTask, TaskExtension, TaskSource
from dudao.supervision.services import Upload

if TYPE_CHECKING:
    from dudao.accounts.models import User

router = Router(tags=["督查督办"])


class TaskOut(Schema):
    id: int
    code: str
    title: str
    status: str
    status_label: str
    parent_id: int | None
    depth: int
    source_id: int
    lead_org_id: int | None
    lead_org_name: str | None
    deadline: date | None
    deadline_provisional: bool
    progress: Decimal
    light: str
    light_label: str
    extension_count: int
    return_count: int

    @staticmethod
    def resolve_status_label(obj: SupervisionTask) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_light_label(obj: SupervisionTask) -> str:
        return obj.get_light_display()

    @staticmethod
    def resolve_lead_org_name(obj: SupervisionTask) -> str | None:
        return obj.lead_org.name if obj.lead_org_id else None  # type: ignore[union-attr]


class TaskDetailOut(TaskOut):
    content: str
    goal: str
    issuing_org_id: int
    responsible_person: str
    lead_leader: str
    deadline_mode: str
    deadline_amount: int | None
    deadline_explanation: str
    feedback_cycle: str
    urgency: str
    weight: Decimal | None
    assigned_on: date | None
    reported_progress: Decimal
    progress_basis: dict[str, Any]
    light_reasons: list[dict[str, Any]]
    last_feedback_on: date | None
    last_return_reason: str
    closed_at: datetime | None
    closed_on_time: bool | None
    version: int
    children: list[TaskOut]
    missing_clarities: list[str]

    @staticmethod
    def resolve_children(obj: SupervisionTask) -> list[SupervisionTask]:
        return list(obj.children.exclude(status="draft").select_related("lead_org"))

    @staticmethod
    def resolve_missing_clarities(obj: SupervisionTask) -> list[str]:
        return services.missing_clarities(obj)


class MilestoneIn(Schema):
    due: date
    description: str = Field(..., min_length=1, max_length=200)
    expected_progress: Decimal = Field(..., ge=0, le=100)


class TaskIn(Schema):
    source_id: Id | None = None
    parent_id: Id | None = None
    title: str = Field(..., max_length=120)
    content: str = ""
    goal: str = ""
    lead_org_id: Id | None = None
    co_org_ids: list[Id] = []
    responsible_person: str = ""
    lead_leader: str = ""
    deadline_mode: str = "date"
    deadline: date | None = None
    deadline_amount: int | None = None
    feedback_cycle: str = "monthly"
    urgency: str = "normal"
    weight: Decimal | None = None
    milestones: list[MilestoneIn] = []
    issue: bool = False


class VersionIn(Schema):
    version: int | None = None


class VerifyIn(Schema):
    passed: bool | None = None
    note: str = ""
    version: int | None = None


class ExtensionIn(Schema):
    new_deadline: date | None = None
    reason: str = ""
    progress_note: str = ""


class DecisionIn(Schema):
    approve: bool | None = None
    note: str = ""


class ExtensionOut(Schema):
    id: int
    task_id: int
    status: str
    old_deadline: date
    new_deadline: date
    reason: str
    decision_note: str


class FeedbackOut(Schema):
    id: int
    task_id: int
    kind: str
    progress: Decimal
    text: str
    review: str
    submitted_at: datetime
    attachments: list[str]

    @staticmethod
    def resolve_attachments(obj: Any) -> list[str]:
        return [a.name for a in obj.attachments.all()]


class SourceIn(Schema):
    kind: str
    title: str = Field(..., max_length=120)
    source_date: date
    doc_number: str = ""
    leader_name: str = ""
    text: str = ""


class SourceOut(Schema):
    id: int
    kind: str
    title: str
    doc_number: str
    leader_name: str
    source_date: date
    text: str
    issuing_org_id: int


class LightCount(Schema):
    light: str
    label: str
    count: int


class OverviewOut(Schema):
    open_total: int
    by_light: list[LightCount]
    by_status: dict[str, int]
    units: list[dict[str, Any]]


class PerformanceOut(Schema):
    org_id: int
    name: str
    rank: int
    due: int
    on_time: int
    overdue: int
    overdue_open: int
    returned: int
    extended: int
    on_time_rate: Decimal | None
    average_days_late: Decimal | None
    problems_due: int
    problems_on_time: int


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


def _require(**values: Any) -> None:
    """422 for missing fields, checked after the object lookup (out of scope is 404 first)."""
    missing = [name for name, value in values.items() if value is None or value == ""]
    if missing:
        raise ValidationError([{"loc": ["body", name], "type": "missing"} for name in missing])


def _org(request: AuthedHttpRequest, pk: Id | None) -> Organisation | None:
    if pk is None:
        return None
    return get_object_or_404(Organisation.objects.visible_to(request.user), pk=pk)


def _optional_body(schema: type[Schema]) -> dict[str, Any]:
    """OpenAPI for a body read by `parse_body` that may be left out (every field optional)."""
    doc = body_doc(schema)
    doc["requestBody"]["required"] = False
    return doc


@router.get(
    "/supervision/tasks",
    response=list[TaskOut],
    url_name="supervision_task_list",
    summary="督查任务",
)
@paginate(Pagination)
def supervision_task_list(
    request: AuthedHttpRequest,
    q: str = "",
    light: str = "",
    status: str = "",
    lead_org: Id | None = None,
    source: Id | None = None,
) -> object:
    return selectors.list_tasks(
        request.user, q=q, light=light, status=status, lead_org=lead_org, source=source
    )


@router.post(
    "/supervision/tasks",
    response={201: TaskDetailOut},
    url_name="supervision_task_list",
    summary="新建督查任务（可同时交办）",
)
def supervision_task_create(request: AuthedHttpRequest, payload: TaskIn) -> Status[SupervisionTask]:
    user: User = request.user
    parent = selectors.get_task(user, payload.parent_id) if payload.parent_id else None
    source = (
        get_object_or_404(selectors.sources(user), pk=payload.source_id)
        if payload.source_id
        else (parent.source if parent else None)
    )
    if source is None:
        raise DomainError("请指定任务来源。", field="source_id")
    # Unscoped on purpose: the service refuses a co-organiser outside the scope by name.
    co_orgs = list(Organisation.objects.filter(pk__in=payload.co_org_ids))
    if len(co_orgs) != len(set(payload.co_org_ids)):
        raise DomainError("配合单位不存在。", field="co_org_ids")
    data = payload.dict(
        exclude={
            "source_id",
            "parent_id",
            "co_org_ids",
            "issue",
            "title",
            "lead_org_id",
            "milestones",
        }
    )
    task = services.create_task(
        actor=user,
        source=source,
        parent=parent,
        title=payload.title,
        co_orgs=co_orgs,
        lead_org=_org(request, payload.lead_org_id),
        milestones=[(m.due, m.description, m.expected_progress) for m in payload.milestones],
        issue=payload.issue,
        **data,
    )
    return Status(201, task)


@router.get(
    "/supervision/my-tasks",
    response=list[TaskOut],
    url_name="supervision_my_tasks",
    summary="本单位待办督查任务",
)
def supervision_my_tasks(request: AuthedHttpRequest) -> list[SupervisionTask]:
    return selectors.my_tasks(request.user)


@router.get(
    "/supervision/tasks/{task_id}",
    response=TaskDetailOut,
    url_name="supervision_task_detail",
    summary="督查任务详情",
)
def supervision_task_detail(request: AuthedHttpRequest, task_id: Id) -> SupervisionTask:
    return selectors.get_task(request.user, task_id)


@router.post(
    "/supervision/tasks/{task_id}/issue",
    response=TaskDetailOut,
    url_name="supervision_task_issue",
    summary="交办（检查四个明确）",
    openapi_extra=_optional_body(VersionIn),
)
def supervision_task_issue(request: AuthedHttpRequest, task_id: Id) -> SupervisionTask:
    task = selectors.get_task(request.user, task_id)
    payload = parse_body(request, VersionIn)  # after the scope check: out of scope is 404
    _require(version=payload.version)
    return services.issue_task(actor=request.user, task=task, version=payload.version)


@router.post(
    "/supervision/tasks/{task_id}/feedback",
    response={201: FeedbackOut},
    url_name="supervision_task_feedback",
    summary="填报进展（可附佐证材料）",
)
def supervision_task_feedback(
    request: AuthedHttpRequest,
    task_id: Id,
    progress: Form[Decimal | None] = None,
    text: Form[str] = "",
    problems: Form[str] = "",
    next_steps: Form[str] = "",
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Status[Any]:
    task = selectors.get_task(request.user, task_id)
    _require(progress=progress, text=text)
    fb = services.post_feedback(
        actor=request.user,
        task=task,
        progress=progress,
        text=text,
        problems=problems,
        next_steps=next_steps,
        files=[Upload.from_django(f) for f in files or []],
    )
    return Status(201, fb)


@router.post(
    "/supervision/tasks/{task_id}/apply",
    response={201: FeedbackOut},
    url_name="supervision_task_apply",
    summary="申请销号（须附佐证材料）",
)
def supervision_task_apply(
    request: AuthedHttpRequest,
    task_id: Id,
    text: Form[str] = "",
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Status[Any]:
    task = selectors.get_task(request.user, task_id)
    _require(text=text)
    fb = services.apply_closeout(
        actor=request.user,
        task=task,
        text=text,
        files=[Upload.from_django(f) for f in files or []],
    )
    return Status(201, fb)


@router.post(
    "/supervision/tasks/{task_id}/verify",
    response=TaskDetailOut,
    url_name="supervision_task_verify",
    summary="核查销号申请（通过或退回）",
    openapi_extra=_optional_body(VerifyIn),
)
def supervision_task_verify(request: AuthedHttpRequest, task_id: Id) -> SupervisionTask:
    task = selectors.get_task(request.user, task_id)
    payload = parse_body(request, VerifyIn)  # after the scope check: out of scope is 404
    _require(passed=payload.passed)
    return services.verify_closeout(
        actor=request.user,
        task=task,
        passed=bool(payload.passed),
        note=payload.note,
        version=payload.version,
    )


@router.post(
    "/supervision/tasks/{task_id}/extension",
    response={201: ExtensionOut},
    url_name="supervision_task_extension",
    summary="申请延期（须在到期前）",
    openapi_extra=_optional_body(ExtensionIn),
)
def supervision_task_extension(request: AuthedHttpRequest, task_id: Id) -> Status[TaskExtension]:
    task = selectors.get_task(request.user, task_id)
    payload = parse_body(request, ExtensionIn)  # after the scope check: out of scope is 404
    _require(new_deadline=payload.new_deadline, reason=payload.reason)
    ext = services.request_extension(
        actor=request.user,
        task=task,
        new_deadline=payload.new_deadline,
        reason=payload.reason,
        progress_note=payload.progress_note,
    )
    return Status(201, ext)


@router.post(
    "/supervision/extensions/{extension_id}/decide",
    response=ExtensionOut,
    url_name="supervision_extension_decide",
    summary="审批延期申请",
    openapi_extra=_optional_body(DecisionIn),
)
def supervision_extension_decide(request: AuthedHttpRequest, extension_id: Id) -> TaskExtension:
    ext = selectors.get_extension(request.user, extension_id)
    payload = parse_body(request, DecisionIn)  # after the scope check: out of scope is 404
    _require(approve=payload.approve)
    return services.decide_extension(
        actor=request.user,
        extension=ext,
        approve=bool(payload.approve),
        note=payload.note,
    )


@router.get(
    "/supervision/sources",
    response=list[SourceOut],
    url_name="supervision_source_list",
    summary="任务来源",
)
@paginate(Pagination)
def supervision_source_list(request: AuthedHttpRequest) -> object:
    return selectors.list_sources(request.user)


@router.post(
    "/supervision/sources",
    response={201: SourceOut},
    url_name="supervision_source_list",
    summary="登记任务来源",
)
def supervision_source_create(request: AuthedHttpRequest, payload: SourceIn) -> Status[TaskSource]:
    return Status(201, services.create_source(actor=request.user, **payload.dict()))


@router.get(
    "/supervision/overview",
    response=OverviewOut,
    url_name="supervision_overview",
    summary="督查总览（按灯色、状态、单位计数）",
)
def supervision_overview(request: AuthedHttpRequest) -> dict[str, Any]:
    data = selectors.overview(request.user)
    return {
        "open_total": data["open_total"],
        "by_light": [
            {"light": light.value, "label": light.label, "count": n}
            for light, n in data["by_light"]
        ],
        "by_status": dict(data["by_status"]),
        "units": data["units"],
    }


@router.get(
    "/supervision/performance",
    response=list[PerformanceOut],
    url_name="supervision_performance",
    summary="责任单位办理绩效（并列排名）",
)
def supervision_performance(request: AuthedHttpRequest) -> list[Any]:
    return selectors.unit_performance(request.user)


@router.get(
    "/supervision/notifications",
    response=list[NotificationOut],
    url_name="supervision_notification_list",
    summary="我的通知",
)
@paginate(Pagination)
def supervision_notification_list(request: AuthedHttpRequest, unread: bool = False) -> object:
    qs = selectors.notifications(request.user)
    return qs.filter(read_at__isnull=True) if unread else qs
