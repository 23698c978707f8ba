"""/api/v1 endpoints of the problem ledger. Function names become URL names (api:<name>).

Scope-filtered like the pages: a county sees the problems assigned to it and its sub-units, the
issuing office what it issued; anything else is 404.
"""

import datetime as dt
from typing import Any, Literal

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.errors import ValidationError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from dudao.core.apibody import body_doc, parse_body
from dudao.core.bounds import Id
from dudao.core.exceptions import DomainError
from dudao.core.http import AuthedHttpRequest
from dudao.core.imports import ImportRejected
from dudao.core.pagination import Pagination
from dudao.orgs.models import Organisation
from dudao.orgs.rules import display_name
from dudao.parks.selectors import park_in_scope
from dudao.problems import importers, selectors, services
from dudao.problems.models import Problem, ProblemCategory, ProblemEvent, ProblemEvidence
from dudao.projects.selectors import visible_projects

router = Router(tags=["问题台账"])


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    sla_days: int
    sla_unit: str
    is_active: bool


class ProblemOut(Schema):
    id: int
    code: str
    source: str
    source_label: str
    source_ref: str
    category_id: int
    category: str
    title: str
    description: str
    severity: str
    county_id: int | None
    county: str
    responsible_org_id: int
    responsible_org: str
    issuing_org_id: int
    project_id: int | None
    park_id: int | None
    deadline: dt.date
    deadline_provisional: bool
    deadline_unit: str
    found_on: dt.date | None
    measures: str
    responsible_person: str
    status: str
    status_label: str
    overdue: bool
    days_late: int
    light: str | None
    light_label: str
    light_reasons: str
    return_count: int
    reopen_count: int
    closed_at: dt.datetime | None
    closed_on_time: bool | None
    created_at: dt.datetime
    version: int

    @staticmethod
    def resolve_source_label(obj: Any) -> str:
        return str(_problem(obj).get_source_display())

    @staticmethod
    def resolve_category(obj: Any) -> str:
        return _problem(obj).category.name

    @staticmethod
    def resolve_responsible_org(obj: Any) -> str:
        return display_name(_problem(obj).responsible_org)

    @staticmethod
    def resolve_county(obj: Any) -> str:
        return display_name(_problem(obj).county)

    @staticmethod
    def resolve_deadline_provisional(obj: Any) -> bool:
        return _problem(obj).deadline_is_provisional

    @staticmethod
    def resolve_light(obj: Any) -> str | None:
        """red / yellow / green / grey for an open problem, null for a closed one."""
        problem = _problem(obj)
        return problem.light if problem.is_open else None

    @staticmethod
    def resolve_light_label(obj: Any) -> str:
        return _problem(obj).light_label

    @staticmethod
    def resolve_light_reasons(obj: Any) -> str:
        return _row(obj).light_reasons

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return str(_problem(obj).get_status_display())

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        return _row(obj).overdue

    @staticmethod
    def resolve_days_late(obj: Any) -> int:
        return _row(obj).days_late


def _problem(obj: Any) -> Problem:
    return obj  # type: ignore[no-any-return]


def _row(obj: Any) -> selectors.LedgerRow:
    """The problem's ledger row, attached by `_with_rows` (computed when missing)."""
    row = getattr(obj, "ledger_row", None)
    if row is None:
        row = selectors.ledger_rows([obj])[0]
        obj.ledger_row = row
    return row


def _with_rows(problems: Any) -> list[Problem]:
    """Compute days late for a page of problems with one calendar query."""
    rows = selectors.ledger_rows(problems)
    for row in rows:
        row.problem.ledger_row = row  # type: ignore[attr-defined]
    return [row.problem for row in rows]


class EventOut(Schema):
    action: str
    action_label: str
    from_status: str
    to_status: str
    note: str
    actor: str
    organisation: str
    created_at: dt.datetime

    @staticmethod
    def resolve_action_label(obj: ProblemEvent) -> str:
        return str(obj.get_action_display())

    @staticmethod
    def resolve_actor(obj: ProblemEvent) -> str:
        return obj.actor.full_name if obj.actor else ""

    @staticmethod
    def resolve_organisation(obj: ProblemEvent) -> str:
        return obj.organisation.name if obj.organisation else ""


class EvidenceOut(Schema):
    id: int
    stage: str
    kind: str
    original_name: str
    content_type: str
    size: int
    note: str
    organisation: str
    created_at: dt.datetime
    url: str

    @staticmethod
    def resolve_organisation(obj: ProblemEvidence) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_url(obj: ProblemEvidence) -> str:
        from django.urls import reverse

        return reverse("problems:evidence_file", args=[obj.problem_id, obj.pk])


class ProblemDetailOut(ProblemOut):
    timeline: list[EventOut]
    evidence_files: list[EvidenceOut]
    allowed_actions: list[str]


class ProblemIn(Schema):
    source: Literal["inspection", "supervision", "monthly_report", "audit", "environment", "other"]
    category_id: Id
    title: str
    responsible_org_id: Id
    description: str = ""
    severity: Literal["general", "serious", "critical"] = "general"
    county_id: Id | None = None
    project_id: Id | None = None
    park_id: Id | None = None
    deadline: dt.date | None = None
    found_on: dt.date | None = None
    source_ref: str = ""
    measures: str = ""
    responsible_person: str = ""


class ProblemPatch(Schema):
    version: int
    title: str | None = None
    description: str | None = None
    severity: Literal["general", "serious", "critical"] | None = None
    category_id: Id | None = None
    responsible_org_id: Id | None = None
    county_id: Id | None = None
    project_id: Id | None = None
    park_id: Id | None = None
    deadline: dt.date | None = None
    measures: str | None = None
    responsible_person: str | None = None


class TransitionIn(Schema):
    action: Literal["start", "progress", "apply", "verify", "close", "return", "reopen"]
    version: int
    note: str = ""
    deadline: dt.date | None = None


class EvidenceIn:
    """The multipart fields of an evidence upload, read after the scope check."""

    def __init__(self, stage: str, file: Any, note: str) -> None:
        self.stage, self.file, self.note = stage, file, note

    @classmethod
    def model_validate_form(cls, request: AuthedHttpRequest) -> "EvidenceIn":
        errors = []
        stage = request.POST.get("stage", "")
        if stage not in ProblemEvidence.Stage.values:
            errors.append({"type": "literal_error", "loc": ["form", "stage"]})
        file = request.FILES.get("file")
        if file is None:
            errors.append({"type": "missing", "loc": ["form", "file"]})
        if errors:
            raise ValidationError(errors)
        return cls(stage, file, request.POST.get("note", "")[:200])


class UnitStatsOut(Schema):
    org_id: int
    name: str
    total: int
    open: int
    overdue: int
    closed: int
    closed_on_time: int
    closed_late: int
    on_time_rate: str
    average_days_late: str
    returned: int
    reopened: int


class ImportErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportOut(Schema):
    ok: bool
    summary: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    errors: list[ImportErrorOut] = []
    warnings: list[ImportErrorOut] = []


def _refs(request: AuthedHttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Turn *_id fields into objects the caller may see (404 / clear message otherwise)."""
    user = request.user
    out: dict[str, Any] = {}
    for key, value in data.items():
        if not key.endswith("_id"):
            out[key] = value
            continue
        name = key.removesuffix("_id")
        if value is None:
            out[name] = None
            continue
        if name == "category":
            out[name] = get_object_or_404(ProblemCategory, pk=value)
        elif name in ("responsible_org", "county"):
            out[name] = get_object_or_404(Organisation.objects.visible_to(user), pk=value)
        elif name == "project":
            out[name] = get_object_or_404(visible_projects(user), pk=value)
        elif name == "park":
            park = park_in_scope(user, value)  # another county's park is as missing as none
            if park is None:
                raise Http404
            out[name] = park
    return out


def _detail(request: AuthedHttpRequest, problem: Problem) -> Problem:
    """The problem with its timeline, evidence and the actions open to the caller attached."""
    problem = _with_rows([problem])[0]
    problem.timeline = list(selectors.timeline(problem))  # type: ignore[attr-defined]
    problem.evidence_files = list(selectors.evidence_of(problem))  # type: ignore[attr-defined]
    problem.allowed_actions = [  # type: ignore[attr-defined]
        t.action for t in services.allowed_actions(request.user, problem)
    ]
    return problem


@router.get(
    "/problems", response=list[ProblemOut], url_name="problem_list", summary="问题台账（可筛选）"
)
@paginate(Pagination)
def problem_list(
    request: AuthedHttpRequest,
    source: str = "",
    category: Id | None = None,
    county: Id | None = None,
    responsible: Id | None = None,
    status: str = "",
    severity: str = "",
    overdue: bool | None = None,
    light: str = "",
    project: Id | None = None,
    park: Id | None = None,
    q: str = "",
) -> Any:
    """`light` (red/yellow/grey/green) keeps the open problems of that colour: a closed
    problem has no light."""
    f = selectors.LedgerFilter.from_query(
        {
            "source": source,
            "category": category,
            "county": county,
            "responsible": responsible,
            "status": status,
            "severity": severity,
            "overdue": {True: "1", False: "0", None: ""}[overdue],
            "light": light,
            "project": project,
            "park": park,
            "q": q,
        }
    )
    return _LazyRows(selectors.list_problems(request.user, f))


class _LazyRows:
    """A queryset whose sliced page becomes LedgerRows (days late with one calendar query)."""

    def __init__(self, qs: Any) -> None:
        self.qs = qs

    def count(self) -> int:
        return int(self.qs.count())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[Problem]:
        return _with_rows(selectors.load_page(self.qs.values_list("pk", flat=True)[item]))


@router.post(
    "/problems",
    response={201: ProblemDetailOut},
    url_name="problem_list",
    summary="登记问题（交办）",
)
def problem_create(request: AuthedHttpRequest, payload: ProblemIn) -> Status[Any]:
    problem = services.create_problem(actor=request.user, **_refs(request, payload.dict()))
    return Status(201, _detail(request, selectors.get_problem(request.user, problem.pk)))


@router.get(
    "/problems/{problem_id}",
    response=ProblemDetailOut,
    url_name="problem_detail",
    summary="问题详情（含办理记录和佐证材料）",
)
def problem_detail(request: AuthedHttpRequest, problem_id: Id) -> Problem:
    return _detail(request, selectors.get_problem(request.user, problem_id))


@router.patch(
    "/problems/{problem_id}",
    response=ProblemDetailOut,
    url_name="problem_detail",
    summary="修改问题（交办单位；版本不符返回 409 和当前值）",
    openapi_extra=body_doc(ProblemPatch),
)
def problem_update(request: AuthedHttpRequest, problem_id: Id) -> Problem:
    problem = selectors.get_problem(request.user, problem_id)
    payload = parse_body(request, ProblemPatch)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    services.update_problem(
        actor=request.user,
        problem=problem,
        version=version,
        **_refs(request, data),
    )
    return _detail(request, selectors.get_problem(request.user, problem_id))


@router.post(
    "/problems/{problem_id}/transitions",
    response=ProblemDetailOut,
    url_name="problem_transition",
    summary="办理：start 开始整改 / progress 进展 / apply 申请销号 / verify 核查 / "
    "close 销号 / return 退回 / reopen 重新打开",
    openapi_extra=body_doc(TransitionIn),
)
def problem_transition(request: AuthedHttpRequest, problem_id: Id) -> Problem:
    problem = selectors.get_problem(request.user, problem_id)
    payload = parse_body(request, TransitionIn)
    services.transition(
        actor=request.user,
        problem=problem,
        action=payload.action,
        version=payload.version,
        note=payload.note,
        deadline=payload.deadline,
    )
    return _detail(request, selectors.get_problem(request.user, problem_id))


@router.post(
    "/problems/{problem_id}/evidence",
    response={201: EvidenceOut},
    url_name="problem_evidence_upload",
    summary="上传整改前/后的照片或文件（multipart：stage=before|after, file, note）",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["stage", "file"],
                        "properties": {
                            "stage": {"type": "string", "enum": ["before", "after"]},
                            "file": {"type": "string", "format": "binary"},
                            "note": {"type": "string"},
                        },
                    }
                }
            },
        }
    },
)
def problem_evidence_upload(request: AuthedHttpRequest, problem_id: Id) -> Status[Any]:
    problem = selectors.get_problem(request.user, problem_id)
    form = EvidenceIn.model_validate_form(request)
    stage, file, note = form.stage, form.file, form.note
    if (file.size or 0) > services.MAX_UPLOAD_BYTES:
        raise DomainError(f"文件过大（上限 {services.MAX_UPLOAD_BYTES // 1024 // 1024} MB）。")
    evidence = services.add_evidence(
        actor=request.user,
        problem=problem,
        stage=stage,
        data=file.read(),
        filename=file.name or "file",
        note=note,
    )
    return Status(201, evidence)


@router.get(
    "/problem-categories",
    response=list[CategoryOut],
    url_name="problem_category_list",
    summary="问题类别及默认整改时限",
)
def problem_category_list(request: AuthedHttpRequest) -> Any:
    return selectors.categories(active_only=False)


@router.get(
    "/problem-stats",
    response=list[UnitStatsOut],
    url_name="problem_unit_stats",
    summary="按单位统计：未销号、逾期、按期销号、退回、重新打开",
)
def problem_unit_stats(request: AuthedHttpRequest, by: Literal["unit", "county"] = "unit") -> Any:
    rollup = list(selectors.county_choices(request.user)) if by == "county" else None
    return [
        {
            "org_id": u.org_id,
            "name": u.name,
            "total": u.total,
            "open": u.open,
            "overdue": u.overdue,
            "closed": u.closed,
            "closed_on_time": u.closed_on_time,
            "closed_late": u.closed_late,
            "on_time_rate": u.on_time_rate_display,
            "average_days_late": u.average_days_late_display,
            "returned": u.returned,
            "reopened": u.reopened,
        }
        for u in selectors.unit_statistics(request.user, rollup_to=rollup)
    ]


@router.post(
    "/problem-imports",
    response={200: ImportOut, 422: ImportOut},
    url_name="problem_import",
    summary="导入既有问题台账（.xlsx 或 .csv；dry_run 只校验）",
)
def problem_import(
    request: AuthedHttpRequest, file: File[UploadedFile], dry_run: Form[bool] = True
) -> Status[Any]:
    try:
        report = importers.import_problems(
            file.read(),
            filename=file.name or "",
            actor=request.user,
            dry_run=dry_run,
        )
    except ImportRejected as exc:
        return Status(
            422,
            {
                "ok": False,
                "summary": f"导入未执行：发现 {len(exc.errors)} 处错误，未写入任何数据。",
                "errors": [e.as_dict() for e in exc.errors[:500]],
            },
        )
    return Status(200, {"ok": True, **report.as_dict()})
