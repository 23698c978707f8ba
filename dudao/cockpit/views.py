"""Pages of 领导驾驶舱 and the role homes at `/`. Thin: one selector or service, then render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from dudao.cockpit import homes, selectors, services
from dudao.core.exceptions import DomainError
from dudao.core.http import AuthedHttpRequest
from dudao.core.periods import Period, month_or_default
from dudao.core.roles import Role

LIGHT_LABELS = {"green": "绿灯", "yellow": "黄灯", "red": "红灯", "grey": "灰灯"}


def _cockpit_context(request: AuthedHttpRequest) -> dict[str, Any]:
    unit_id = selectors.parse_unit_id(request.GET.get("unit"))
    year, month = selectors.default_period()
    chosen, period_error = month_or_default(request.GET.get("period"), Period.month(year, month))
    data = selectors.cockpit(
        request.user,
        unit_id,
        period=(chosen.year, chosen.last_month),
        with_rank_change=False,  # the page and the wall screen do not show it
    )
    return {
        "c": data,
        "data": data.as_dict(),
        "period_error": period_error,
        "period": f"{chosen.year}-{chosen.last_month:02d}",
        "light_labels": LIGHT_LABELS,
        "api_url": reverse("api:cockpit") + ("" if data.is_root else f"?unit={data.unit.pk}"),
    }


def cockpit_page(request: AuthedHttpRequest) -> HttpResponse:
    """The cockpit of the user's city or county, or of one county (`?unit=`; 404 outside)."""
    return render(request, "cockpit/cockpit.html", _cockpit_context(request))


def wall(request: AuthedHttpRequest) -> HttpResponse:
    """大屏: 1920×1080, dark, no chrome; the script refetches the API and rotates the tiles."""
    context = _cockpit_context(request)
    context.update(
        refresh_seconds=settings.DUDAO_COCKPIT_WALL_REFRESH_SECONDS,
        rotate_seconds=settings.DUDAO_COCKPIT_WALL_ROTATE_SECONDS,
    )
    return render(request, "cockpit/wall.html", context)


def outline_json(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The boundary GeoJSON in force, for echarts.registerMap (same origin, CSP-clean)."""
    outline = selectors.get_outline(request.user, pk)
    response = HttpResponse(outline.geojson, content_type="application/geo+json; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


def home(request: AuthedHttpRequest) -> HttpResponse:
    """`/`: a leader lands on the cockpit; everybody else on the work of their roles."""
    user = request.user
    if user.has_role(Role.ENTERPRISE):  # an enterprise's own account: its portal only
        return redirect("enterprises:portal")
    if user.has_role(Role.LEADER) and not request.GET.get("unit"):
        try:
            context = _cockpit_context(request)
        except Http404:  # no scope to show (an organisation switched off): the plain home
            pass
        else:
            return render(request, "cockpit/cockpit.html", context)
    elif user.has_role(Role.LEADER):
        return render(request, "cockpit/cockpit.html", _cockpit_context(request))
    return render(request, "cockpit/home.html", {"h": homes.role_home(user)})


@require_http_methods(["GET", "POST"])
def layout(request: AuthedHttpRequest) -> HttpResponse:
    """The tile-grid layout of the city's counties and parks, and the boundary outline."""
    if request.method == "POST":
        try:
            org_id = int(request.POST.get("organisation", "") or 0)
        except ValueError:
            org_id = 0
        try:
            if request.POST.get("remove"):
                services.delete_tile(actor=request.user, organisation_id=org_id)
                messages.success(request, "已从方块图中移除。")
            else:
                services.set_tile(
                    actor=request.user,
                    organisation_id=org_id,
                    grid_x=request.POST.get("grid_x"),
                    grid_y=request.POST.get("grid_y"),
                )
                messages.success(request, "位置已保存。")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("cockpit:layout")
    units = selectors.layout_units(request.user)
    return render(
        request,
        "cockpit/layout.html",
        {
            "units": units,
            "outlines": selectors.outlines(request.user),
            "city": selectors.layout_city(request.user),
            "max_mb": settings.DUDAO_COCKPIT_GEOJSON_MAX_BYTES // (1024 * 1024),
            "grid_max": services.GRID_MAX,
        },
    )


@require_POST
def outline_upload(request: AuthedHttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise DomainError("请选择 GeoJSON 文件。")
        if upload.size is not None and upload.size > settings.DUDAO_COCKPIT_GEOJSON_MAX_BYTES:
            raise DomainError(
                f"文件超过 {settings.DUDAO_COCKPIT_GEOJSON_MAX_BYTES // (1024 * 1024)} MB 上限。"
            )
        services.upload_outline(
            actor=request.user,
            name=upload.name or "",
            data=upload.read(),
            approval_no=request.POST.get("approval_no", ""),
        )
        messages.success(request, "轮廓图已上传并启用。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("cockpit:layout")


@require_POST
def outline_retire(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    try:
        services.retire_outline(actor=request.user, pk=pk)
        messages.success(request, "轮廓图已停用，地图改用方块图。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("cockpit:layout")
