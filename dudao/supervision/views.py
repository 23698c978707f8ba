"""Pages of 督查督办. Thin: parse the form, call one selector or service, render or redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from dudao.accounts.roles import Role
from dudao.core.exceptions import DomainError
from dudao.core.http import AuthedHttpRequest, add_domain_error, paginate, query_without_page
from dudao.core.lights import Light
from dudao.core.listing import listing, sort_rows, sort_state
from dudao.core.numbers import format_decimal
from dudao.core.xlsx import Column, Sheet, workbook_bytes, xlsx_response
from dudao.orgs.models import Organisation
from dudao.problems import selectors as problem_selectors
from dudao.supervision import selectors, services
from dudao.supervision.forms import (
    CloseoutForm,
    DecisionForm,
    ExtensionForm,
    FeedbackForm,
    RuleForm,
    SourceForm,
    TaskForm,
    VerifyForm,
)
from dudao.supervision.models import LightRule, Notification, SupervisionTask
from dudao.supervision.policy import POLICY
from dudao.supervision.services import Upload

SUBNAV = (
    ("supervision:my_tasks", "我的任务"),
    ("supervision:task_list", "任务清单"),
    ("supervision:source_list", "任务来源"),
    ("supervision:overview", "督查总览"),
    ("supervision:performance", "单位绩效"),
    ("supervision:rules", "亮灯规则"),
)


def _render(request: AuthedHttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """Render with the module's sub-navigation (only links the user may open) and unread count."""
    current = request.resolver_match.view_name if request.resolver_match else ""
    context["subnav"] = [
        {"url": reverse(name), "label": label, "active": name == current}
        for name, label in SUBNAV
        if POLICY[name]["GET"].allows(request.user)
    ]
    context.setdefault("unread", selectors.unread_count(request.user))
    return render(request, template, context)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _uploads(files: list[Any]) -> list[Upload]:
    return [Upload.from_django(f) for f in files]


def _first_error(form: Any) -> str:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        return f"{label}：{errors[0]}" if label else str(errors[0])
    return "表单有误。"


# --- tasks -------------------------------------------------------------------------------------


def task_list(request: AuthedHttpRequest) -> HttpResponse:
    """The task tree, grouped by source or by lead unit, with filters."""
    g = request.GET
    group = g.get("group", "source") if g.get("group") in ("source", "unit") else "source"
    qs = selectors.with_light_rank(_filtered_tasks(request))
    # A column sort lists the tasks flat; without one they come grouped by source or unit.
    flat = sort_state(request, selectors.TASK_SORTS, "code").param == (g.get("sort") or "")
    sorts: dict[str, Any] = dict(selectors.TASK_SORTS)
    if not flat:
        group_fields = (
            ("lead_org__path", "code")
            if group == "unit"
            else ("-source__source_date", "source_id", "code")
        )
        sorts["_group"] = group_fields
    lst = listing(request, qs, sorts, default="code" if flat else "_group", per_page=100)
    page = lst.page
    groups: list[tuple[str, list[SupervisionTask]]] = []
    for task in page.object_list:
        key = (
            ""
            if flat
            else (task.lead_org.display_name if task.lead_org else "（未定牵头单位）")
            if group == "unit"
            else f"{task.source.get_kind_display()}：{task.source.title}"
        )
        if not groups or groups[-1][0] != key:
            groups.append((key, []))
        groups[-1][1].append(task)
    context = {
        "page": page,
        "list": lst,
        "groups": groups,
        "group": group,
        "filters": g,
        "lights": Light.choices,
        "statuses": SupervisionTask.Status.choices,
        "query": query_without_page(request),
        "can_create": request.user.has_role(Role.SUPERVISOR),
    }
    return _render(request, "supervision/task_list.html", context)


def _filtered_tasks(request: AuthedHttpRequest) -> Any:
    g = request.GET
    statuses = [*SupervisionTask.Status.values, "open"]
    return selectors.list_tasks(
        request.user,
        q=g.get("q", "").strip(),
        light=g.get("light", "") if g.get("light") in Light.values else "",
        status=g.get("status", "") if g.get("status") in statuses else "",
        lead_org=_int(g.get("org")),
        source=_int(g.get("source")),
    )


def task_export(request: AuthedHttpRequest) -> HttpResponse:
    """The filtered task list as .xlsx (the 红黄绿灯清单 attached to bulletins)."""
    qs = selectors.with_light_rank(_filtered_tasks(request))
    rows = selectors.export_rows(sort_rows(request, qs, selectors.TASK_SORTS, "code"))
    data = workbook_bytes(
        [
            Sheet(
                "督查任务清单",
                [Column(h, w, kind) for h, w, kind in selectors.EXPORT_COLUMNS],
                rows,
                title=f"督查任务清单（导出日期 {timezone.localdate():%Y-%m-%d}）",
            )
        ]
    )
    return xlsx_response(f"督查任务清单-{timezone.localdate():%Y%m%d}.xlsx", data)


def my_tasks(request: AuthedHttpRequest) -> HttpResponse:
    """This unit's open tasks, the most urgent first (rows formatted here: the page is the
    one every county opens every day)."""
    base = reverse("supervision:task_list")  # /supervision/tasks/ + <pk>/
    statuses = dict(SupervisionTask.Status.choices)
    lights = dict(Light.choices)
    rows = [
        {
            "url": f"{base}{t.pk}/",
            "code": t.code,
            "title": t.title,
            "source": t.source.title,
            "light": t.light,
            "light_label": lights[t.light],
            "deadline": f"{t.deadline:%Y-%m-%d}" if t.deadline else "—",
            "provisional": t.deadline_provisional,
            "progress": format_decimal(t.progress, 1),
            "status": statuses[t.status],
            "last_feedback": f"{t.last_feedback_on:%Y-%m-%d}" if t.last_feedback_on else "未反馈",
            "reasons": "；".join(str(r.get("label", "")) for r in t.light_reasons) or "—",
        }
        for t in selectors.my_tasks(request.user)
    ]
    return _render(request, "supervision/my_tasks.html", {"rows": rows})


def task_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    task = selectors.get_task(request.user, pk)
    user = request.user
    responsible = (
        task.lead_org is not None
        and user.has_role(Role.REPORTER, Role.REVIEWER)
        and task.lead_org.path.startswith(user.organisation.scope_path)
    )
    workable = task.status in ("assigned", "in_progress", "returned")
    context = {
        "task": task,
        # The parent is named for context; it is a link only where the user may open it.
        "parent_visible": task.parent_id is not None
        and selectors.tasks(user).filter(pk=task.parent_id).exists(),
        "children": selectors.task_children(user, task),
        "co_orgs": task.co_orgs.all(),
        "milestones": task.milestones.all(),
        "timeline": selectors.timeline(task),
        "light_history": task.light_records.order_by("-cycle_no")[:12],
        "escalations": task.escalations.select_related("rule"),
        "pending_extension": selectors.pending_extension(task),
        "missing": services.missing_clarities(task) if task.status == "draft" else [],
        "can_issue": task.status == "draft" and task.issuing_org_id == user.organisation_id,
        "can_split": workable
        and (user.has_role(Role.SUPERVISOR) or (user.has_role(Role.REVIEWER) and responsible)),
        "can_report": responsible and workable,
        "can_verify": task.status == "applied" and services.can_verify(user, task),
        "can_decide": services.can_verify(user, task),
        "feedback_form": FeedbackForm(prefix="fb"),
        "closeout_form": CloseoutForm(prefix="co"),
        "extension_form": ExtensionForm(prefix="ext"),
        "verify_form": VerifyForm(prefix="vf", initial={"version": task.version}),
        "decision_form": DecisionForm(prefix="dc"),
        "breadcrumbs": [
            ("督查任务清单", reverse("supervision:task_list")),
            (f"{task.code} {task.title}", None),
        ],
    }
    return _render(request, "supervision/task_detail.html", context)


@require_http_methods(["GET", "POST"])
def task_create(request: AuthedHttpRequest) -> HttpResponse:
    """New task (a draft, or issued at once); `?parent=` splits an existing task."""
    user = request.user
    parent = None
    parent_id = _int(request.GET.get("parent"))
    if parent_id:
        parent = selectors.get_task(user, parent_id)
    organisations = Organisation.objects.visible_to(user).filter(is_active=True).order_by("path")
    if parent is not None and not user.has_role(Role.SUPERVISOR) and parent.lead_org:
        organisations = organisations.filter(path__startswith=parent.lead_org.path).exclude(
            pk=parent.lead_org.pk
        )
    initial: dict[str, Any] = {}
    if _int(request.GET.get("source")):
        initial["source"] = request.GET["source"]
    if parent is not None:
        # A split inherits what the parent says (urgency included: it never resets silently).
        initial.update(
            title=parent.title,
            deadline=parent.deadline,
            feedback_cycle=parent.feedback_cycle,
            urgency=parent.urgency,
            category=parent.category_id,
            content=parent.content,
            goal=parent.goal,
            lead_leader=parent.lead_leader,
        )
    form = TaskForm(
        request.POST or None,
        sources=selectors.sources(user).order_by("-source_date"),
        organisations=organisations,
        parent=parent,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        source = data.pop("source", None) or (parent.source if parent else None)
        if source is None:  # the form requires it for a new task; a child takes its parent's
            return redirect("supervision:task_create")
        co_orgs = data.pop("co_orgs")
        title = data.pop("title")
        milestones = data.pop("milestones")
        try:
            task = services.create_task(
                actor=user,
                source=source,
                title=title,
                parent=parent,
                co_orgs=co_orgs,
                milestones=milestones,
                issue="issue" in request.POST,
                **data,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if task.status == SupervisionTask.Status.DRAFT:
                messages.success(request, f"已保存草稿 {task.code}。")
            else:
                messages.success(
                    request, f"已交办任务 {task.code}，完成时限 {task.deadline:%Y-%m-%d}。"
                )
            return redirect("supervision:task_detail", pk=task.pk)
    return _render(
        request,
        "supervision/task_form.html",
        {"form": form, "parent": parent, "title": "分解任务" if parent else "新建督查任务"},
    )


def _done(
    request: AuthedHttpRequest, task_pk: int, ok: str | None, error: str | None
) -> HttpResponse:
    if error:
        messages.error(request, error)
    elif ok:
        messages.success(request, ok)
    return redirect("supervision:task_detail", pk=task_pk)


@require_POST
def task_issue(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    task = selectors.get_task(request.user, pk)
    try:
        task = services.issue_task(
            actor=request.user, task=task, version=_int(request.POST.get("version"))
        )
    except DomainError as exc:
        return _done(request, pk, None, exc.message)
    return _done(request, pk, f"已交办，完成时限 {task.deadline:%Y-%m-%d}。", None)


def _post(
    request: AuthedHttpRequest,
    task_pk: int,
    form: Any,
    call: Callable[[dict[str, Any]], object],
    ok: Callable[[dict[str, Any]], str],
) -> HttpResponse:
    """Validate the form, call the service, and return to the task with its message."""
    if not form.is_valid():
        return _done(request, task_pk, None, _first_error(form))
    try:
        call(form.cleaned_data)
    except DomainError as exc:
        return _done(request, task_pk, None, exc.message)
    return _done(request, task_pk, ok(form.cleaned_data), None)


@require_POST
def task_feedback(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    task = selectors.get_task(request.user, pk)
    return _post(
        request,
        pk,
        FeedbackForm(request.POST, request.FILES, prefix="fb"),
        lambda d: services.post_feedback(
            actor=request.user,
            task=task,
            progress=d["progress"],
            text=d["text"],
            problems=d["problems"],
            next_steps=d["next_steps"],
            files=_uploads(d["attachments"]),
        ),
        lambda d: "进展已填报。",
    )


@require_POST
def task_apply(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    task = selectors.get_task(request.user, pk)
    return _post(
        request,
        pk,
        CloseoutForm(request.POST, request.FILES, prefix="co"),
        lambda d: services.apply_closeout(
            actor=request.user, task=task, text=d["text"], files=_uploads(d["attachments"])
        ),
        lambda d: "已申请销号，等待交办单位核查。",
    )


@require_POST
def task_verify(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    task = selectors.get_task(request.user, pk)
    return _post(
        request,
        pk,
        VerifyForm(request.POST, prefix="vf"),
        lambda d: services.verify_closeout(
            actor=request.user,
            task=task,
            passed=d["decision"] == "pass",
            note=d["note"],
            version=d["version"],
        ),
        lambda d: "核查通过，任务已销号。" if d["decision"] == "pass" else "已退回重办。",
    )


@require_POST
def task_extension(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    task = selectors.get_task(request.user, pk)
    return _post(
        request,
        pk,
        ExtensionForm(request.POST, prefix="ext"),
        lambda d: services.request_extension(
            actor=request.user,
            task=task,
            new_deadline=d["new_deadline"],
            reason=d["reason"],
            progress_note=d["progress_note"],
        ),
        lambda d: "延期申请已提交。",
    )


@require_POST
def extension_decide(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    ext = selectors.get_extension(request.user, pk)
    return _post(
        request,
        ext.task_id,
        DecisionForm(request.POST, prefix="dc"),
        lambda d: services.decide_extension(
            actor=request.user, extension=ext, approve=d["decision"] == "approve", note=d["note"]
        ),
        lambda d: "已批准延期。" if d["decision"] == "approve" else "已不批准延期。",
    )


# --- sources and attachments -------------------------------------------------------------------


def source_list(request: AuthedHttpRequest) -> HttpResponse:
    page = paginate(request, selectors.list_sources(request.user), 50)
    return _render(
        request,
        "supervision/source_list.html",
        {
            "page": page,
            "query": "",
            "can_create": request.user.has_role(Role.SUPERVISOR, Role.REVIEWER),
        },
    )


@require_http_methods(["GET", "POST"])
def source_create(request: AuthedHttpRequest) -> HttpResponse:
    form = SourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        files = _uploads(d.pop("attachments"))
        try:
            source = services.create_source(actor=request.user, files=files, **d)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已登记任务来源“{source.title}”。")
            return redirect("supervision:source_detail", pk=source.pk)
    return _render(request, "supervision/source_form.html", {"form": form})


def source_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    source = selectors.get_source(request.user, pk)
    tasks = (
        selectors.tasks(request.user)
        .filter(source=source)
        .select_related("lead_org")
        .order_by("code")
    )
    return _render(
        request,
        "supervision/source_detail.html",
        {
            "source": source,
            "attachments": source.attachments.all(),
            "tasks": tasks,
            "can_create": request.user.has_role(Role.SUPERVISOR),
        },
    )


def attachment_download(request: AuthedHttpRequest, pk: int) -> FileResponse:
    att = selectors.get_attachment(request.user, pk)
    response = FileResponse(
        att.file.open("rb"), as_attachment=True, filename=att.name, content_type=att.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- overview, performance, rules, notifications ----------------------------------------------


def overview(request: AuthedHttpRequest) -> HttpResponse:
    data = selectors.overview(request.user)
    units = data["units"][:30]
    chart = {
        "units": [u["name"] for u in units],
        "series": [
            {"name": light.label, "key": light.value, "data": [u[light.value] for u in units]}
            for light in (Light.RED, Light.YELLOW, Light.GREY, Light.GREEN)
        ],
        "pie": [
            {"name": light.label, "key": light.value, "value": n} for light, n in data["by_light"]
        ],
    }
    # Counts as text: the table has a row per unit, and localising ~1,000 integers per
    # request costs more than the page's queries.
    unit_rows = [
        (u["name"], *(str(u[key]) for key in ("red", "yellow", "grey", "green", "total")))
        for u in data["units"]
    ]
    # The problem ledger's open problems by their lights (`dudao.problems`), worst units first.
    problems = problem_selectors.light_overview(request.user)
    chart["problem_pie"] = [
        {"name": light.label, "key": light.value, "value": n} for light, n in problems.by_light
    ]
    keys = ("red", "yellow", "grey", "green", "total")
    problem_rows = [
        (str(u["org_id"]), u["name"], *(str(u[k]) for k in keys)) for u in problems.units[:30]
    ]
    return _render(
        request,
        "supervision/overview.html",
        {
            **data,
            "chart": chart,
            "unit_rows": unit_rows,
            "problems": problems,
            "problem_rows": problem_rows,
        },
    )


def performance(request: AuthedHttpRequest) -> HttpResponse:
    rows = selectors.unit_performance(request.user)
    return _render(request, "supervision/performance.html", {"rows": rows})


def rules(request: AuthedHttpRequest) -> HttpResponse:
    from dudao.supervision.models import EscalationRule

    return _render(
        request,
        "supervision/rules.html",
        {
            "rules": LightRule.objects.all(),
            "escalations": EscalationRule.objects.all(),
            "can_edit": request.user.has_role(Role.SUPERVISOR),
        },
    )


@require_POST
def rule_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    from django.shortcuts import get_object_or_404

    rule = get_object_or_404(LightRule, pk=pk)
    form = RuleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("supervision:rules")
    d = dict(form.cleaned_data)
    version = d.pop("version")
    try:
        services.update_light_rule(actor=request.user, rule=rule, version=version, **d)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已保存规则“{rule.code}”，下次计算时生效。")
    return redirect("supervision:rules")


def notifications(request: AuthedHttpRequest) -> HttpResponse:
    page = paginate(request, selectors.notifications(request.user), 30)
    return _render(request, "supervision/notifications.html", {"page": page, "query": ""})


@require_POST
def notifications_read(request: AuthedHttpRequest) -> HttpResponse:
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect("supervision:notifications")
