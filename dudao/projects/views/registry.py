"""The registry pages: list, export, detail, project and plan forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from dudao.accounts.roles import Role
from dudao.core.bounds import year_ok
from dudao.core.exceptions import DomainError
from dudao.core.http import AuthedHttpRequest, add_domain_error, query_without_page
from dudao.core.lights import Light
from dudao.core.listing import listing, sort_rows
from dudao.core.xlsx import Column, Sheet, workbook_bytes, xlsx_response
from dudao.projects import selectors, services
from dudao.projects.forms import (
    PlanForm,
    ProjectForm,
)
from dudao.projects.listhtml import history_rows_html, list_rows_html, options_html
from dudao.projects.models import (
    MilestoneNode,
    MonthlyReport,
    Project,
    ProjectSettings,
    ProjectYearPlan,
)
from dudao.projects.views._common import (
    _county_qs,
    _period,
)

S = MonthlyReport.Status


def project_list(request: AuthedHttpRequest) -> HttpResponse:
    """The registry with filters; the light column is for the chosen month."""
    year, month = _period(request)
    filters = selectors.ProjectFilters.from_query(request.GET)
    qs = selectors.with_sort_figures(
        selectors.filter_projects(request.user, filters, year, month), year, month
    )
    # values, not model instances; display strings worked out once per row (page_rows)
    lst = listing(request, selectors.list_values(qs), selectors.PROJECT_SORTS, default="county")
    page = lst.page
    rows = selectors.list_rows(list(page.object_list), year, month)
    context = {
        "page": page,
        "list": lst,
        "done_label": f"1–{month}月完成（万元）",
        "rows": rows,
        "rows_html": list_rows_html(rows),
        "f": filters,
        "period": f"{year}-{month:02d}",
        "year": year,
        "month": month,
        "query": query_without_page(request),
        "can_edit": request.user.has_role(Role.REPORTER, Role.SUPERVISOR),
    }
    htmx = request.headers.get("HX-Request") == "true"  # django-htmx's `request.htmx`, typed
    if htmx:  # the table alone: no filter form
        return render(request, "projects/_list_table.html", context)
    options = selectors.filter_options(request.user)
    context.update(
        county_options=options_html(options.counties, filters.county),
        park_options=options_html(options.parks, filters.park),
        category_options=options_html(options.categories, filters.category),
        list_options=options_html(options.lists, filters.list),
        stages=Project.Stage.choices,
        levels=Project.Level.choices,
        lights=Light.choices,
    )
    return render(request, "projects/list.html", context)


def project_export(request: AuthedHttpRequest) -> HttpResponse:
    """Excel of exactly what the list shows (same filters, month and sort), all pages."""
    year, month = _period(request)
    filters = selectors.ProjectFilters.from_query(request.GET)
    qs = selectors.with_sort_figures(
        selectors.filter_projects(request.user, filters, year, month), year, month
    )
    projects = list(sort_rows(request, qs, selectors.PROJECT_SORTS, "county")[:50_000])
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
    history = selectors.history_rows(project)
    return render(
        request,
        "projects/detail.html",
        {
            "project": project,
            "light": light,
            "year": year,
            "month": month,
            "chart": selectors.project_chart(project, year, settings, history),
            "timeline": selectors.milestone_timeline(project),
            "history": history,
            "history_html": history_rows_html(history),
            "plans": project.plans.order_by("-year"),
            "lists": project.lists.all(),
            "can_edit": request.user.has_role(Role.REPORTER, Role.SUPERVISOR),
            "breadcrumbs": [("重大项目", reverse("projects:list")), (project.name, None)],
        },
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
    default_year = selectors.reporting_period()[0]
    raw = request.GET.get("year", "").strip()
    year = int(raw) if raw.isdigit() and year_ok(int(raw)) else default_year
    if raw and str(year) != raw:
        messages.warning(request, f"年度“{raw[:10]}”无效，已显示{year}年度计划。")
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
