"""Supervisor pages: locks, targets, settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from dudao.core.exceptions import DomainError
from dudao.core.http import AuthedHttpRequest, add_domain_error
from dudao.projects import selectors, services
from dudao.projects.forms import (
    LockForm,
    SettingsForm,
    TargetForm,
    UnlockForm,
)
from dudao.projects.models import (
    MonthlyReport,
    ProjectSettings,
)
from dudao.projects.rules import quarter_of
from dudao.projects.views._common import (
    _county_qs,
    _period,
    _url,
)

S = MonthlyReport.Status


PENDING_CHOICES = {
    services.PENDING_APPROVE: "一并审核通过",
    services.PENDING_RETURN: "一并退回",
}


@require_http_methods(["GET", "POST"])
def locks(request: AuthedHttpRequest) -> HttpResponse:
    """Lock a month. When the month still has reports awaiting review, a confirmation step
    lists them and asks: wait (do not lock yet), approve them, or return them with a reason."""
    form = LockForm(
        request.POST or None, counties=_county_qs(selectors.county_choices(request.user))
    )
    confirm: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        period = form.cleaned_data["period"]
        county = form.cleaned_data["county"]
        year, month = period.year, period.last_month
        choice = request.POST.get("pending", "")
        if choice == "wait":
            messages.info(request, f"未锁定{year}年{month}月：等待审核员审核完毕后再锁定。")
            return redirect("projects:locks")
        waiting = selectors.pending_reports(year, month, county.pk if county else None)
        reason = request.POST.get("reason", "").strip()
        if waiting and (
            choice not in PENDING_CHOICES or (choice == services.PENDING_RETURN and not reason)
        ):
            confirm = {
                "waiting": waiting,
                "year": year,
                "month": month,
                "county": county,
                "period": f"{year}-{month:02d}",
                "error": "退回必须填写原因。" if choice == services.PENDING_RETURN else "",
                "reason": reason,
            }
        else:
            try:
                services.lock_month(
                    actor=request.user,
                    year=year,
                    month=month,
                    county=county,
                    pending=choice if waiting else "",
                    reason=reason,
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                done = (
                    f"（锁定前{PENDING_CHOICES[choice]} {len(waiting)} 份月报）" if waiting else ""
                )
                messages.success(request, f"{year}年{month}月已锁定{done}。")
                return redirect("projects:locks")
    return render(
        request,
        "projects/locks.html",
        {
            "form": form,
            "confirm": confirm,
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
