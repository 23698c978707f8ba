"""One report: detail, review actions, photos; "due for me"."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
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
    period = f"{report.year}年{report.month}月月报"
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
            "breadcrumbs": [
                ("重大项目", reverse("projects:list")),
                (report.project.name, reverse("projects:detail", kwargs={"pk": report.project_id})),
                (period, None),
            ],
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
    return _after_review(request, report, action, request.POST.get("next", ""))


def _after_review(
    request: AuthedHttpRequest, report: MonthlyReport, action: str, nxt: str
) -> HttpResponse:
    """Where a review action lands: the queue when it came from there; after an approval or a
    return on a report's page, the next report awaiting review (the queue when none is left)."""
    if nxt == "due":
        return redirect("projects:due")
    report.refresh_from_db()
    reviewed = (action == "approve" and report.status == S.APPROVED) or (
        action == "return" and report.status == S.RETURNED
    )
    if reviewed and nxt == "queue":
        following = selectors.next_pending(request.user, report)
        if following is None:
            messages.info(request, "待审核的月报已全部处理完。")
            return redirect("projects:due")
        return redirect("projects:report", pk=following.pk)
    return redirect("projects:report", pk=report.pk)


@require_POST
def review_bulk(request: AuthedHttpRequest) -> HttpResponse:
    """Approve the ticked reports of the queue: each one its own audited transition; the
    answer counts those approved and lists those refused with the reason."""
    ids = [int(v) for v in request.POST.getlist("report") if v.isdigit() and len(v) <= 12]
    if not ids:
        messages.error(request, "请先勾选要审核通过的月报。")
        return redirect("projects:due")
    found = {r.pk: r for r in MonthlyReport.objects.visible_to(request.user).filter(pk__in=ids)}
    items = []
    missing = 0
    for pk in dict.fromkeys(ids):
        report = found.get(pk)
        if report is None:
            missing += 1
            continue
        version = request.POST.get(f"version-{pk}", "")
        items.append((report, int(version) if version.isdigit() and len(version) <= 9 else None))
    outcome = services.approve_reports(actor=request.user, items=items)
    if outcome.approved:
        messages.success(request, f"已审核通过 {len(outcome.approved)} 份月报。")
    failed = [f"{r.project.name}（{r.year}年{r.month}月）：{why}" for r, why in outcome.failed]
    if missing:
        failed.append(f"{missing} 份月报不存在或不在您的范围内")
    if failed:
        messages.error(request, f"{len(failed)} 份未能审核通过——" + "；".join(failed))
    return redirect("projects:due")


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
    """What is due this month for me: to fill and submit (reporter), to review (reviewer) —
    the review queue with each report's plan, completion, light and warnings."""
    year, month = _period(request)
    is_reviewer = request.user.has_role(Role.REVIEWER)
    queue = selectors.review_queue(request.user) if is_reviewer else []
    return render(
        request,
        "projects/due.html",
        {
            "s": selectors.due_summary(request.user, year, month),
            "queue": queue,
            "can_bulk": any(not row.locked for row in queue),
            "period": f"{year}-{month:02d}",
            "is_reporter": request.user.has_role(Role.REPORTER),
            "is_reviewer": is_reviewer,
        },
    )
