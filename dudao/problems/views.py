"""Pages of the problem ledger (问题台账). Thin: parse, call a selector or a service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from dudao.accounts.roles import Role
from dudao.core.exceptions import DomainError
from dudao.core.http import AuthedHttpRequest, add_domain_error, query_without_page
from dudao.core.importflow import run_upload
from dudao.core.listing import listing, sort_rows
from dudao.core.xlsx import workbook_bytes, xlsx_response
from dudao.problems import exports, selectors, services
from dudao.problems.forms import (
    CategoryForm,
    EvidenceForm,
    LightRuleForm,
    ProblemEditForm,
    ProblemForm,
    TransitionForm,
)
from dudao.problems.importers import TEMPLATE_SHEETS, import_problems
from dudao.problems.models import Problem, ProblemCategory
from dudao.projects.selectors import visible_projects


def _filter_context(request: AuthedHttpRequest) -> dict[str, Any]:
    f = selectors.LedgerFilter.from_query(request.GET)
    project = visible_projects(request.user).filter(pk=f.project).first() if f.project else None
    return {
        "f": f,
        "sources": Problem.Source.choices,
        "severities": Problem.Severity.choices,
        "statuses": selectors.STATUS_FILTER_CHOICES,
        "lights": selectors.LIGHT_FILTER_CHOICES,
        "categories": selectors.categories(active_only=False).values_list("pk", "name"),
        "counties": selectors.county_choices(request.user).values_list("pk", "short_name", "name"),
        "units": selectors.responsible_choices(request.user).values_list("pk", "name"),
        "parks": selectors.park_choices(request.user).values_list("pk", "name"),
        "project": project,
    }


def problem_list(request: AuthedHttpRequest) -> HttpResponse:
    """The ledger: filters, one page of problems, the export of exactly this selection."""
    context = _filter_context(request)
    f = context["f"]
    qs = selectors.with_sort_ranks(selectors.list_problems(request.user, f))
    lst = listing(
        request, qs.values_list("pk", flat=True), selectors.PROBLEM_SORTS, default="created"
    )
    page = lst.page
    context.update(
        {
            "page": page,
            "list": lst,
            "rows": selectors.ledger_rows(selectors.load_page(page.object_list)),
            "query": query_without_page(request),
            "can_create": request.user.has_role(*services.ISSUER_ROLES),
            "can_import": request.user.has_role(Role.SUPERVISOR, Role.REVIEWER),
        }
    )
    template = "problems/list.html#ledger" if request.htmx else "problems/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def problem_export(request: AuthedHttpRequest) -> HttpResponse:
    """The same filters and sort as the ledger page, every matching row, as .xlsx."""
    f = selectors.LedgerFilter.from_query(request.GET)
    problems = sort_rows(
        request,
        selectors.with_sort_ranks(selectors.list_problems(request.user, f)),
        selectors.PROBLEM_SORTS,
        "created",
    )
    sheet = exports.ledger_sheet(selectors.ledger_rows(problems.iterator(chunk_size=2000)))
    today = timezone.localdate()
    return xlsx_response(f"问题台账-{today:%Y%m%d}.xlsx", workbook_bytes([sheet]))


def _problem_form(request: AuthedHttpRequest, form_class: type[ProblemForm], **kw: Any) -> Any:
    return form_class(
        request.POST or None,
        organisations=selectors.responsible_choices(request.user),
        counties=selectors.county_choices(request.user),
        projects=visible_projects(request.user).order_by("county_id", "name"),
        parks=selectors.park_choices(request.user),
        categories=selectors.categories(),
        **kw,
    )


@require_http_methods(["GET", "POST"])
def problem_create(request: AuthedHttpRequest) -> HttpResponse:
    """Register a problem and assign it to a responsible unit (交办)."""
    initial: dict[str, Any] = {"source": Problem.Source.SUPERVISION}
    project_id = request.GET.get("project", "")
    if project_id.isdigit():
        initial["project"] = project_id
    form = _problem_form(request, ProblemForm, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            problem = services.create_problem(
                actor=request.user,
                source=data["source"],
                source_ref=data["source_ref"],
                category=data["category"],
                title=data["title"],
                description=data["description"],
                severity=data["severity"],
                responsible_org=data["responsible_org"],
                responsible_person=data["responsible_person"],
                county=data["county"],
                project=data["project"],
                park=data["park"],
                deadline=data["deadline"],
                found_on=data["found_on"],
                measures=data["measures"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                f"已登记问题 {problem.code}，交办{problem.responsible_org.name}，"
                f"整改时限 {problem.deadline:%Y-%m-%d}。",
            )
            return redirect("problems:detail", pk=problem.pk)
    return render(request, "problems/form.html", {"form": form, "title": "登记问题（交办）"})


def _detail_context(request: AuthedHttpRequest, problem: Problem) -> dict[str, Any]:
    row = selectors.ledger_rows([problem])[0]
    evidence = list(selectors.evidence_of(problem))
    return {
        "problem": problem,
        "row": row,
        "events": selectors.timeline(problem),
        "light_history": selectors.light_history(problem),
        "before": [e for e in evidence if e.stage == "before"],
        "after": [e for e in evidence if e.stage == "after"],
        "actions": services.allowed_actions(request.user, problem),
        "can_edit": services.can_edit(request.user, problem),
        "can_upload": problem.is_open
        and (
            services.is_fixer(request.user, problem)
            or request.user.has_role(*services.ISSUER_ROLES)
        ),
        "evidence_form": EvidenceForm(),
        "today": timezone.localdate(),
        "breadcrumbs": [
            ("问题台账", reverse("problems:list")),
            (f"{problem.code} {problem.title}", None),
        ],
    }


def problem_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """One problem: facts, before/after material, the actions open to the user, the timeline."""
    problem = selectors.get_problem(request.user, pk)
    return render(request, "problems/detail.html", _detail_context(request, problem))


def _detail_with_error(
    request: AuthedHttpRequest, problem: Problem, message: str, status: int, **extra: Any
) -> HttpResponse:
    context = _detail_context(request, problem)
    context.update({"error": message, **extra})
    return render(request, "problems/detail.html", context, status=status)


@require_POST
def problem_transition(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Take one workflow step; errors re-render the page with the reason and the HTTP status."""
    problem = selectors.get_problem(request.user, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _detail_with_error(request, problem, "请求不完整，请刷新页面后重试。", 400)
    data = form.cleaned_data
    try:
        problem = services.transition(
            actor=request.user,
            problem=problem,
            action=data["action"],
            version=data["version"],
            note=data["note"],
            deadline=data["deadline"],
        )
    except DomainError as exc:
        problem = selectors.get_problem(request.user, pk)
        return _detail_with_error(
            request, problem, exc.message, exc.status_code, open_action=data["action"]
        )
    label = services.TRANSITIONS[data["action"]].label
    messages.success(
        request, f"{problem.code}：已{label}，当前状态为“{problem.get_status_display()}”。"
    )
    return redirect("problems:detail", pk=problem.pk)


@require_POST
def evidence_upload(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Upload a before/after photo or document."""
    problem = selectors.get_problem(request.user, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail_with_error(request, problem, "请选择阶段和要上传的照片或文件。", 400)
    upload = form.cleaned_data["file"]
    if upload.size > services.MAX_UPLOAD_BYTES:
        return _detail_with_error(
            request,
            problem,
            f"文件过大（上限 {services.MAX_UPLOAD_BYTES // 1024 // 1024} MB）。",
            422,
        )
    try:
        services.add_evidence(
            actor=request.user,
            problem=problem,
            stage=form.cleaned_data["stage"],
            data=upload.read(),
            filename=upload.name or "file",
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        return _detail_with_error(request, problem, exc.message, exc.status_code)
    messages.success(request, f"已上传“{upload.name}”。")
    return redirect("problems:detail", pk=problem.pk)


def evidence_file(request: AuthedHttpRequest, pk: int, evidence_pk: int) -> FileResponse:
    """Serve an evidence file to users who may see the problem (404 otherwise)."""
    evidence = selectors.get_evidence(request.user, pk, evidence_pk)
    inline = evidence.content_type.startswith("image/")
    response = FileResponse(
        evidence.file.open("rb"),
        content_type=evidence.content_type,
        as_attachment=not inline,
        filename=evidence.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_http_methods(["GET", "POST"])
def problem_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Edit a problem's facts (issuing side); a stale form is refused with 409."""
    problem = selectors.get_problem(request.user, pk)
    initial = {f: getattr(problem, f) for f in services.EDITABLE_FIELDS}
    initial["version"] = problem.version
    form = _problem_form(request, ProblemEditForm, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.update_problem(actor=request.user, problem=problem, version=version, **data)
        except DomainError as exc:
            add_domain_error(form, exc)
            status = exc.status_code
        else:
            messages.success(request, "问题信息已保存。")
            return redirect("problems:detail", pk=problem.pk)
    context = {"form": form, "title": f"修改问题 {problem.code}", "problem": problem}
    return render(request, "problems/form.html", context, status=status)


def problem_stats(request: AuthedHttpRequest) -> HttpResponse:
    """Per-unit ledger statistics, by responsible unit or rolled up to counties."""
    by = request.GET.get("by", "county")
    rollup = list(selectors.county_choices(request.user)) if by == "county" else None
    units = selectors.unit_statistics(request.user, rollup_to=rollup)
    totals = selectors.UnitStatistics(org_id=0, name="合计")
    for unit in units:
        totals.add(unit)
    return render(
        request,
        "problems/stats.html",
        {"units": units, "totals": totals, "by": by, "today": timezone.localdate()},
    )


@require_http_methods(["GET", "POST"])
def problem_import(request: AuthedHttpRequest) -> HttpResponse:
    """Upload an existing ledger (Excel or CSV): 试导入 keeps the file server-side, 确认导入
    posts its token (dudao.core.importflow); all-or-nothing."""
    flow = None
    if request.method == "POST":
        flow = run_upload(request, kind="problems", func=import_problems, scope="problems")
    return render(
        request,
        "problems/import.html",
        {"flow": flow, "action": reverse("problems:import"), "accept_csv": True},
    )


def import_template(request: AuthedHttpRequest) -> HttpResponse:
    """The import template with its instructions sheet."""
    return xlsx_response("问题台账导入模板.xlsx", workbook_bytes(TEMPLATE_SHEETS()))


@require_http_methods(["GET", "POST"])
def category_list(request: AuthedHttpRequest) -> HttpResponse:
    """The problem categories with their time limits; 督查员 edits them."""
    error, status = "", 200
    if request.method == "POST" and "rule" in request.POST:
        error, status = _save_light_rule(request)
        if not error:
            return redirect("problems:categories")
    elif request.method == "POST":
        form = CategoryForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_category(
                    actor=request.user,
                    category=data["category"],
                    sla_days=data["sla_days"],
                    sla_unit=data["sla_unit"],
                    is_active=data["is_active"],
                )
            except DomainError as exc:
                error = exc.message
            else:
                messages.success(request, f"已保存问题类别“{data['category'].name}”的默认时限。")
                return redirect("problems:categories")
        else:
            error = "请填写 1 到 3660 之间的天数并选择单位。"
    return render(
        request,
        "problems/categories.html",
        {
            "categories": ProblemCategory.objects.all(),
            "light_rules": selectors.light_rules(),
            "can_edit": request.user.has_role(Role.SUPERVISOR),
            "units": CategoryForm.base_fields["sla_unit"].choices,  # type: ignore[attr-defined]
            "error": error,
        },
        status=(status if status != 200 else 400) if error else 200,
    )


def _save_light_rule(request: AuthedHttpRequest) -> tuple[str, int]:
    """Save one light rule's thresholds from the categories page; return the error (if any)
    and its HTTP status (409 for a stale edit)."""
    form = LightRuleForm(request.POST)
    if not form.is_valid():
        return "；".join(str(e) for errors in form.errors.values() for e in errors), 400
    data = form.cleaned_data
    try:
        services.update_light_rule(
            actor=request.user,
            rule=data["rule"],
            yellow_from=data["yellow_from"],
            red_from=data["red_from"],
            is_active=data["is_active"],
            version=data["version"],
        )
    except DomainError as exc:
        return exc.message, exc.status_code
    messages.success(request, f"已保存亮灯规则“{data['rule'].label}”，次日亮灯计算起生效。")
    return "", 200
