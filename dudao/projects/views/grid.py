"""The reporter's monthly grid, the template and the upload."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from dudao.core.exceptions import DomainError, StaleObject
from dudao.core.http import AuthedHttpRequest
from dudao.core.importflow import FlowResult, run_upload
from dudao.core.xlsx import xlsx_response
from dudao.projects import gridhtml, importers, selectors, services
from dudao.projects.forms import ReportForm
from dudao.projects.models import (
    MonthlyReport,
)
from dudao.projects.views._common import (
    _period,
    _url,
    new_request_id,
)

S = MonthlyReport.Status


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
        save = (
            services.save_and_submit_report
            if request.POST.get("action") == "submit"
            else services.save_report
        )
        try:
            save(
                actor=request.user,
                project=project,
                year=year,
                month=month,
                data=_report_input(data),
                version=data["version"],
                request_id=data["request_id"] or None,
            )
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


def report_template(request: AuthedHttpRequest) -> HttpResponse:
    """The month's template: every project in scope, or (?due=1, 只含本月应报项目) only those
    whose report is still to be filled in."""
    year, month = _period(request)
    due_only = request.GET.get("due") == "1"
    data = importers.report_template(request.user, year, month, due_only=due_only)
    which = "应报项目" if due_only else "模板"
    return xlsx_response(f"月报{which}_{year}年{month}月.xlsx", data)


@require_http_methods(["GET", "POST"])
def report_upload(request: AuthedHttpRequest) -> HttpResponse:
    """Upload the filled template: 试导入 keeps the file server-side, 确认导入 posts its token
    (dudao.core.importflow); rows left untouched are skipped and counted."""
    flow: FlowResult | None = None
    if request.method == "POST":
        flow = run_upload(request, kind="reports", func=importers.import_reports, scope="reports")
        if flow.committed and not flow.repeated:
            messages.success(request, flow.summary)
            return redirect("projects:grid")
    return render(
        request,
        "projects/upload.html",
        {"flow": flow, "action": _url("projects:upload")},
    )
