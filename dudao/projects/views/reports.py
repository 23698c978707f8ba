"""One report: detail, review actions, photos; "due for me"."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from dudao.accounts.roles import Role
from dudao.core.exceptions import DomainError
from dudao.core.http import AuthedHttpRequest
from dudao.projects import selectors, services
from dudao.projects.forms import (
    PhotoForm,
    ReturnForm,
)
from dudao.projects.models import (
    MonthlyReport,
    ReportPhoto,
)
from dudao.projects.views._common import (
    _period,
)

S = MonthlyReport.Status


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
