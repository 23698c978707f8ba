"""Supervisor pages: locks, targets, settings."""

from __future__ import annotations

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
