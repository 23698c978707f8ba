"""Pages for changing a tour's plan before it starts: edit, cancel (with a reason), the site
search over the project registry, and the tour plan import (dry run, then confirm). Views are
thin: parse, call a selector or a service."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from dudao.core.exceptions import DomainError
from dudao.core.http import AuthedHttpRequest, add_domain_error
from dudao.core.importflow import FlowResult, run_upload
from dudao.core.xlsx import xlsx_response
from dudao.inspections import refs, selectors, services
from dudao.inspections.forms import CancelForm, TourEditForm
from dudao.inspections.models import Tour
from dudao.inspections.planimport import PLAN_KIND, import_tour_plan, plan_template


def _organiser_tour(request: AuthedHttpRequest, pk: int) -> Tour:
    tour = selectors.get_tour(request.user, pk)
    if not selectors.is_organiser(request.user, tour):
        raise Http404
    return tour


@require_http_methods(["GET", "POST"])
def tour_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Change the tour's settings while it is in preparation (stale copies are refused)."""
    tour = _organiser_tour(request, pk)
    form = TourEditForm(request.POST or None, tour=tour)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.update_tour(actor=request.user, tour=tour, version=version, **data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "观摩活动已修改。")
            return redirect("inspections:detail", pk=tour.pk)
    return render(
        request,
        "inspections/form.html",
        {
            "form": form,
            "title": f"修改观摩活动 · {tour.name}",
            "breadcrumbs": [
                ("观摩督导", reverse("inspections:list")),
                (tour.name, reverse("inspections:detail", args=[tour.pk])),
                ("修改", None),
            ],
        },
    )


@require_POST
def tour_cancel(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Cancel the tour before scoring starts; the reason is required and audited."""
    tour = _organiser_tour(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写取消原因。")
        return redirect("inspections:detail", pk=tour.pk)
    try:
        services.cancel_tour(
            actor=request.user,
            tour=tour,
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "观摩活动已取消。")
    return redirect("inspections:detail", pk=tour.pk)


def site_search(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The options of the site search (HTMX): registry projects of the participating units
    whose name or code contains the text, in the organiser's scope."""
    tour = _organiser_tour(request, pk)
    projects = refs.search_projects(request.user, tour, request.GET.get("project_code", ""))
    return render(request, "inspections/_site_options.html", {"projects": projects})


@require_http_methods(["GET", "POST"])
def plan_import(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Upload a tour plan (Excel): 试导入 lists every error by row and column and keeps the file
    server-side; 确认导入 posts only its token (dudao.core.importflow), good for this tour only;
    all or nothing."""
    tour = _organiser_tour(request, pk)
    flow: FlowResult | None = None
    if request.method == "POST":
        flow = run_upload(
            request,
            kind=PLAN_KIND,
            func=import_tour_plan,
            scope=f"tour:{tour.pk}",
            extra={"tour": tour.pk},
        )
    return render(
        request,
        "inspections/plan_import.html",
        {
            "tour": tour,
            "flow": flow,
            "action": reverse("inspections:plan_import", args=[tour.pk]),
            "accept_csv": False,
        },
    )


def plan_template_download(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    tour = _organiser_tour(request, pk)
    return xlsx_response(f"{tour.name}-观摩路线模板.xlsx", plan_template(tour))
