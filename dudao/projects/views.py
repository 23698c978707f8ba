"""Pages of 重大项目. Thin: parse, call one selector or service, render."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from dudao.accounts.roles import Role
from dudao.core.exceptions import DomainError, StaleObject
from dudao.core.http import AuthedHttpRequest, add_domain_error, paginate, query_without_page
from dudao.core.imports import ImportRejected
from dudao.core.lights import Light
from dudao.core.xlsx import Column, Sheet, workbook_bytes, xlsx_response
from dudao.orgs.models import Organisation
from dudao.projects import gridhtml, importers, selectors, services
from dudao.projects.forms import (
    LockForm,
    PhotoForm,
    PlanForm,
    ProjectForm,
    ReportForm,
    ReturnForm,
    SettingsForm,
    TargetForm,
    UnlockForm,
    UploadForm,
)
from dudao.projects.models import (
    MilestoneNode,
    MonthlyReport,
    Project,
    ProjectCategory,
    ProjectList,
    ProjectSettings,
    ProjectYearPlan,
    ReportPhoto,
)
from dudao.projects.rules import quarter_of

S = MonthlyReport.Status


def _period(request: AuthedHttpRequest) -> tuple[int, int]:
    """The page's month (?period=YYYY-MM, default the reporting period); a bad value shows the
    default month with a message saying so."""
    year, month, message = selectors.page_period(
        request.GET.get("period") or request.POST.get("period")
    )
    if message:
        messages.warning(request, message)
    return year, month


def _filter_context(request: AuthedHttpRequest) -> dict[str, Any]:
    return {
        "counties": selectors.county_choices(request.user),
        "parks": selectors.filter_parks(request.user),
        "categories": ProjectCategory.objects.filter(is_active=True),
        "stages": Project.Stage.choices,
        "levels": Project.Level.choices,
        "lists": ProjectList.objects.filter(is_active=True),
        "lights": Light.choices,
    }


def project_list(request: AuthedHttpRequest) -> HttpResponse:
    """The registry with filters; the light column is for the chosen month."""
    year, month = _period(request)
    filters = selectors.ProjectFilters.from_query(request.GET)
    page = paginate(request, selectors.filter_projects(request.user, filters, year, month), 50)
    lights = selectors.lights_for(list(page.object_list), year, month)
    rows = [(p, lights[p.pk]) for p in page.object_list]
    context = {
        "page": page,
        "rows": rows,
        "f": filters,
        "period": f"{year}-{month:02d}",
        "year": year,
        "month": month,
        "query": query_without_page(request),
        "can_edit": request.user.has_role(Role.REPORTER, Role.SUPERVISOR),
        **_filter_context(request),
    }
    template = "projects/_list_table.html" if request.htmx else "projects/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def project_export(request: AuthedHttpRequest) -> HttpResponse:
    """Excel of exactly what the list shows (same filters and month), all pages."""
    year, month = _period(request)
    filters = selectors.ProjectFilters.from_query(request.GET)
    projects = list(selectors.filter_projects(request.user, filters, year, month)[:50_000])
    lights = selectors.lights_for(projects, year, month)
    plans = {
        p.project_id: p for p in ProjectYearPlan.objects.filter(project__in=projects, year=year)
    }
    rows = []
    for p in projects:
        pl = lights[p.pk]
        rows.append(
            [
                p.code or "",
                p.name,
                p.county.short_name or p.county.name,
                p.park.name if p.park else "",
                p.category.name,
                p.get_stage_display(),
                p.get_level_display(),
                p.total_investment,
                plans[p.pk].planned_investment if p.pk in plans else None,
                pl.progress.done,
                pl.progress.rate_pct,
                pl.progress.elapsed_pct,
                pl.progress.lag,
                pl.light.label,
                pl.progress.reached,
            ]
        )
    columns = [
        Column("项目代码", 27),
        Column("项目名称", 36),
        Column("县（市、区）", 10),
        Column("园区", 20),
        Column("类别", 8),
        Column("阶段", 8),
        Column("级别", 8),
        Column("总投资（万元）", 14, "decimal2"),
        Column("年度计划（万元）", 14, "decimal2"),
        Column(f"1–{month}月已审核完成（万元）", 16, "decimal2"),
        Column("完成率（%）", 10, "decimal2"),
        Column("序时进度（%）", 10, "decimal2"),
        Column("滞后（个百分点）", 12, "decimal2"),
        Column("亮灯", 8),
        Column("进度", 10),
    ]
    title = f"重大项目清单（{year}年{month}月）"
    data = workbook_bytes([Sheet("项目清单", columns, rows, title=title)])
    return xlsx_response(f"{title}.xlsx", data)


def project_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    project = selectors.get_project(request.user, pk)
    year, month = _period(request)
    settings = ProjectSettings.current()
    light = selectors.lights_for([project], year, month, settings)[project.pk]
    return render(
        request,
        "projects/detail.html",
        {
            "project": project,
            "light": light,
            "year": year,
            "month": month,
            "chart": selectors.project_chart(project, year, settings),
            "timeline": selectors.milestone_timeline(project),
            "history": selectors.project_history(project),
            "plans": project.plans.order_by("-year"),
            "lists": project.lists.all(),
            "can_edit": request.user.has_role(Role.REPORTER, Role.SUPERVISOR),
        },
    )


def _county_qs(counties: list[Organisation]) -> Any:
    return Organisation.objects.filter(pk__in=[c.pk for c in counties]).order_by(
        "sort_order", "path"
    )


def _project_form_view(request: AuthedHttpRequest, project: Project | None) -> HttpResponse:
    counties = selectors.county_choices(request.user)
    initial: dict[str, Any] = {}
    if project is not None:
        initial = {f: getattr(project, f) for f in services.PROJECT_FIELDS}
        initial["lists"] = list(project.lists.all())
        initial["version"] = project.version
        for code, (planned, actual) in services.milestone_state(project).items():
            initial[f"plan_{code}"], initial[f"actual_{code}"] = planned, actual
    form = ProjectForm(
        request.POST or None,
        initial=initial,
        counties=_county_qs(counties),
        parks=selectors.park_choices(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            if project is None:
                project = services.create_project(
                    actor=request.user,
                    lists=list(form.cleaned_data["lists"]),
                    milestones=form.milestones(),
                    **form.project_fields(),
                )
                messages.success(request, f"已登记项目“{project.name}”。")
            else:
                services.update_project(
                    actor=request.user,
                    project=project,
                    version=form.cleaned_data["version"],
                    lists=list(form.cleaned_data["lists"]),
                    milestones=form.milestones(),
                    **form.project_fields(),
                )
                messages.success(request, "项目信息已保存。")
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("projects:detail", pk=project.pk)
    return render(
        request,
        "projects/form.html",
        {
            "form": form,
            "project": project,
            "title": f"编辑项目：{project.name}" if project else "登记重大项目",
        },
    )


@require_http_methods(["GET", "POST"])
def project_create(request: AuthedHttpRequest) -> HttpResponse:
    return _project_form_view(request, None)


@require_http_methods(["GET", "POST"])
def project_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _project_form_view(request, selectors.get_project(request.user, pk))


@require_http_methods(["GET", "POST"])
def plan_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Annual plan of a project (year in the query string, default the reporting year)."""
    project = selectors.get_project(request.user, pk)
    year = int(request.GET.get("year", "0") or 0) or selectors.reporting_period()[0]
    plan = ProjectYearPlan.objects.filter(project=project, year=year).first()
    initial: dict[str, Any] = {"year": year}
    if plan:
        initial.update(
            planned_investment=plan.planned_investment,
            version=plan.version,
            curve=",".join(plan.curve) if plan.curve else "",
            planned_nodes=MilestoneNode.objects.filter(code__in=plan.planned_nodes),
        )
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_plan(
                actor=request.user,
                project=project,
                year=data["year"],
                planned_investment=data["planned_investment"],
                curve=data["curve"],
                planned_nodes=[n.code for n in data["planned_nodes"]],
                version=data["version"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"{data['year']}年度计划已保存。")
            return redirect("projects:detail", pk=project.pk)
    return render(
        request,
        "projects/form.html",
        {
            "form": form,
            "project": project,
            "title": f"年度计划：{project.name}",
        },
    )


# --- the reporter's grid ------------------------------------------------------------------------


def _report_input(data: dict[str, Any]) -> services.ReportInput:
    return services.ReportInput(
        invest_month=data["invest_month"],
        funds_month=data.get("funds_month") or Decimal(0),
        node=data.get("node"),
        node_date=data.get("node_date"),
        progress_text=data.get("progress_text", ""),
        has_problem=data.get("has_problem", False),
        problem_text=data.get("problem_text", ""),
        next_steps=data.get("next_steps", ""),
        note=data.get("note", ""),
    )


def report_grid(request: AuthedHttpRequest) -> HttpResponse:
    """All the reporter's projects for one month on one page; each row saves by itself."""
    year, month = _period(request)
    rows = selectors.grid_rows(request.user, year, month)
    period = f"{year}-{month:02d}"
    return render(
        request,
        "projects/grid.html",
        {
            "rows": gridhtml.rows_html(rows, year=year, period=period, request_id=new_request_id),
            "year": year,
            "month": month,
            "period": period,
            "deadline": services.report_deadline(year, month),
            "locked": bool(rows) and all(r.locked for r in rows),
        },
    )


@require_POST
def grid_row(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Save (and optionally submit) one project's report of the month; returns the row."""
    project = selectors.get_project(request.user, pk)
    year, month = _period(request)
    form = ReportForm(request.POST)
    error = ""
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            report = services.save_report(
                actor=request.user,
                project=project,
                year=year,
                month=month,
                data=_report_input(data),
                version=data["version"],
                request_id=data["request_id"] or None,
            )
            if request.POST.get("action") == "submit":
                report = services.submit_report(actor=request.user, report=report)
        except StaleObject as exc:
            error, status = exc.message, 409
        except DomainError as exc:
            error = exc.message
            status = 422
    else:
        error = "；".join(
            f"{form.fields[f].label}：{e[0]}" if f in form.fields else str(e[0])
            for f, e in form.errors.items()
        )
        status = 422
    row = selectors.grid_rows(request.user, year, month, only=project.pk)
    match = next(iter(row), None)
    if match is None:
        raise Http404
    html = gridhtml.row_html(
        match,
        year=year,
        period=f"{year}-{month:02d}",
        request_id=new_request_id(),
        urls=gridhtml.GridUrls(),
        error=error,
        saved=not error,
        posted=request.POST if error and status != 409 else None,
    )
    return HttpResponse(html, status=status)


@require_POST
def grid_submit_all(request: AuthedHttpRequest) -> HttpResponse:
    """Submit every saved draft (or returned report) of the month in the reporter's scope."""
    year, month = _period(request)
    done, failed = 0, []
    for report in (
        MonthlyReport.objects.visible_to(request.user)
        .filter(year=year, month=month, status__in=[S.DRAFT, S.RETURNED])
        .select_related("project")
    ):
        try:
            services.submit_report(actor=request.user, report=report)
            done += 1
        except DomainError as exc:
            failed.append(f"{report.project.name}：{exc.message}")
    if done:
        messages.success(request, f"已报送 {done} 份月报。")
    for text in failed[:10]:
        messages.error(request, text)
    if not done and not failed:
        messages.info(request, "没有待报送的月报。")
    return redirect(f"{_url('projects:grid')}?period={year}-{month:02d}")


def _url(name: str, **kwargs: Any) -> str:
    from django.urls import reverse

    return reverse(name, kwargs=kwargs or None)


def report_template(request: AuthedHttpRequest) -> HttpResponse:
    year, month = _period(request)
    data = importers.report_template(request.user, year, month)
    return xlsx_response(f"月报模板_{year}年{month}月.xlsx", data)


@require_http_methods(["GET", "POST"])
def report_upload(request: AuthedHttpRequest) -> HttpResponse:
    """Upload the filled template: a dry run listing every error, then the commit."""
    form = UploadForm(request.POST or None, request.FILES or None)
    result: dict[str, Any] | None = None
    errors: list[Any] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        commit = bool(form.cleaned_data["commit"])
        try:
            report = importers.import_reports(
                data, filename=upload.name, actor=request.user, dry_run=not commit
            )
        except ImportRejected as exc:
            errors = exc.errors[:500]
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            result = {
                "summary": report.summary(),
                "dry_run": report.dry_run,
                "changed": report.changed,
            }
            if commit:
                messages.success(request, report.summary())
                return redirect("projects:grid")
    return render(
        request,
        "projects/upload.html",
        {
            "form": form,
            "result": result,
            "errors": errors,
        },
    )


# --- reports: detail, review ------------------------------------------------------------------


def report_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    report = selectors.get_report(request.user, pk)
    return render(
        request,
        "projects/report.html",
        {
            "report": report,
            "photos": report.photos.all(),
            "return_form": ReturnForm(),
            "photo_form": PhotoForm(),
            "deadline": services.report_deadline(report.year, report.month),
            "locked": services.is_locked(report.county_id, report.year, report.month),
            "can_review": request.user.has_role(Role.REVIEWER),
            "can_report": request.user.has_role(Role.REPORTER),
        },
    )


@require_POST
def report_action(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """submit / approve / return one report (the service checks the role and the state)."""
    report = selectors.get_report(request.user, pk)
    action = request.POST.get("action", "")
    version = request.POST.get("version")
    v = int(version) if version and version.isdigit() else None
    try:
        if action == "submit":
            services.submit_report(actor=request.user, report=report, version=v)
            messages.success(request, "月报已报送。")
        elif action == "approve":
            services.approve_report(actor=request.user, report=report, version=v)
            messages.success(request, "已审核通过。")
        elif action == "return":
            services.return_report(
                actor=request.user, report=report, version=v, reason=request.POST.get("reason", "")
            )
            messages.success(request, "已退回。")
        else:
            messages.error(request, "未知的操作。")
    except DomainError as exc:
        messages.error(request, exc.message)
    nxt = request.POST.get("next", "")
    if nxt == "due":
        return redirect("projects:due")
    return redirect("projects:report", pk=report.pk)


@require_POST
def photo_upload(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    report = selectors.get_report(request.user, pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["photo"]
        try:
            services.add_report_photo(
                actor=request.user, report=report, data=upload.read(), filename=upload.name
            )
            messages.success(request, "照片已上传。")
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "请选择照片文件。")
    return redirect("projects:report", pk=report.pk)


def photo_file(request: AuthedHttpRequest, pk: int) -> FileResponse:
    """Serve a photo only to users who may see its report."""
    photo = get_object_or_404(
        ReportPhoto.objects.filter(report__in=MonthlyReport.objects.visible_to(request.user)),
        pk=pk,
    )
    response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def due(request: AuthedHttpRequest) -> HttpResponse:
    """What is due this month for me: to fill and submit (reporter), to review (reviewer)."""
    year, month = _period(request)
    return render(
        request,
        "projects/due.html",
        {
            "s": selectors.due_summary(request.user, year, month),
            "period": f"{year}-{month:02d}",
            "is_reporter": request.user.has_role(Role.REPORTER),
            "is_reviewer": request.user.has_role(Role.REVIEWER),
        },
    )


# --- analysis -----------------------------------------------------------------------------------


def analysis(request: AuthedHttpRequest) -> HttpResponse:
    """The city analysis: counties × categories, lights, ranks, reporting completeness."""
    year, month = _period(request)
    by = request.GET.get("by", "county")
    page = selectors.analysis_page(request.user, year, month, by)
    context: dict[str, Any] = {
        "year": year,
        "month": month,
        "period": f"{year}-{month:02d}",
        "by": by,
        "light_values": [(v, label) for v, label in Light.choices],
        "quarter": page.quarter,
        "targets": page.targets,
    }
    if page.groups is not None:
        context["groups"] = page.groups
        context["elapsed"] = page.elapsed_pct
    else:
        context["a"] = page.a
        context["categories"] = page.categories
    return render(request, "projects/analysis.html", context)


def county_overview(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """One county: its row of the analysis by category, targets and laggards."""
    year, month = _period(request)
    overview = selectors.county_overview(request.user, pk, year, month)
    if overview is None:
        raise Http404
    return render(
        request,
        "projects/county.html",
        {
            "county": overview.county,
            "row": overview.row,
            "cells": overview.cells,
            "a": overview.a,
            "year": year,
            "month": month,
            "period": f"{year}-{month:02d}",
            "laggards": overview.laggards,
            "targets": overview.targets,
            "quarter": overview.quarter,
        },
    )


# --- supervisor: locks, targets, settings --------------------------------------------------------


@require_http_methods(["GET", "POST"])
def locks(request: AuthedHttpRequest) -> HttpResponse:
    form = LockForm(
        request.POST or None, counties=_county_qs(selectors.county_choices(request.user))
    )
    if request.method == "POST" and form.is_valid():
        try:
            year, month = selectors.api_period(form.cleaned_data["period"])
            services.lock_month(
                actor=request.user, year=year, month=month, county=form.cleaned_data["county"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"{year}年{month}月已锁定。")
            return redirect("projects:locks")
    return render(
        request,
        "projects/locks.html",
        {
            "form": form,
            "locks": selectors.recent_locks(request.user),
            "unlock_form": UnlockForm(),
        },
    )


@require_POST
def unlock(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    lock = selectors.get_lock(request.user, pk)
    try:
        services.unlock_month(actor=request.user, lock=lock, reason=request.POST.get("reason", ""))
        messages.success(request, "已解锁。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("projects:locks")


@require_http_methods(["GET", "POST"])
def targets(request: AuthedHttpRequest) -> HttpResponse:
    year, month = _period(request)
    quarter = quarter_of(month)
    form = TargetForm(
        request.POST or None,
        counties=_county_qs(selectors.county_choices(request.user)),
        initial={"year": year, "quarter": quarter},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.set_quarter_target(
                actor=request.user,
                county=d["county"],
                year=d["year"],
                quarter=d["quarter"],
                metric=d["metric"],
                target=d["target"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "季度目标已保存。")
            return redirect(f"{_url('projects:targets')}?period={d['year']}-{3 * d['quarter']:02d}")
    return render(
        request,
        "projects/targets.html",
        {
            "form": form,
            "rows": selectors.quarter_targets(request.user, year, quarter),
            "year": year,
            "quarter": quarter,
        },
    )


@require_http_methods(["GET", "POST"])
def settings_edit(request: AuthedHttpRequest) -> HttpResponse:
    current = ProjectSettings.current()
    form = SettingsForm(
        request.POST or None,
        instance=None if request.POST else current,
        initial={"version": current.version},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.update_settings(actor=request.user, version=version, **data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "参数已保存。")
            return redirect("projects:settings")
    return render(request, "projects/settings.html", {"form": form, "current": current})


def new_request_id() -> str:
    return uuid.uuid4().hex
