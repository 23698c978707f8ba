"""Pages of 统计指标: the city cluster overview, the monthly entry grid with review, the Excel
round trip. Views are thin: parse, call a selector or a service, render."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from dudao.core.exceptions import DomainError
from dudao.core.http import AuthedHttpRequest, add_domain_error, query_without_page
from dudao.core.importflow import run_upload
from dudao.core.imports import MAX_IMPORT_BYTES
from dudao.core.listing import listing
from dudao.core.periods import Period, month_or_default
from dudao.core.xlsx import xlsx_response
from dudao.orgs.models import Organisation
from dudao.stats import importers, selectors, services
from dudao.stats.checks import Candidate, range_flags
from dudao.stats.forms import SettingsForm
from dudao.stats.models import Indicator, IndicatorValue, StatsSettings


def _period(text: str, default: dt.date) -> tuple[dt.date, str]:
    """?period=YYYY-MM as the stored month (core.periods.month_or_default: a bad value shows
    ``default`` with a message saying so)."""
    period, error = month_or_default(text, Period.of(default))
    return period.first_day, error


def last_month() -> dt.date:
    today = timezone.localdate().replace(day=1)
    return (today - dt.timedelta(days=1)).replace(day=1)


def summary(request: AuthedHttpRequest) -> HttpResponse:
    """The city cluster overview: the speech's paragraph as a table and as sentences."""
    cities = list(
        selectors.business_units(request.user)
        .filter(kind=Organisation.Kind.CITY_GOV)
        .order_by("depth", "sort_order", "code")
    )
    code = request.GET.get("city", "")
    city = next((c for c in cities if c.code == code), cities[0] if cities else None)
    if code and (city is None or city.code != code):
        raise Http404("没有这个市，或不在您的数据范围内。")
    default = last_month()
    if city is not None and not request.GET.get("period"):
        latest = (
            IndicatorValue.objects.approved()
            .filter(organisation=city, indicator__in_summary=True)
            .order_by("-period")
            .values_list("period", flat=True)
            .first()
        )
        default = latest or default
    period, error = _period(request.GET.get("period", ""), default)
    result = selectors.city_summary(request.user, city, period) if city else None
    return render(
        request,
        "stats/summary.html",
        {
            "cities": cities,
            "own_parks": [] if city else selectors.own_parks(request.user),
            "city": city,
            "period": period,
            "period_error": error,
            "result": result,
            "rows": [r.as_dict() for r in result.rows] if result else [],
        },
    )


def _units(request: AuthedHttpRequest) -> list[Organisation]:
    return list(
        selectors.business_units(request.user)
        .filter(kind__in=services.UNIT_KINDS, is_active=True)
        .order_by("path")
    )


def _unit_and_period(
    request: AuthedHttpRequest, data: Any
) -> tuple[list[Organisation], Organisation | None, dt.date, str]:
    units = _units(request)
    raw = str(data.get("unit", ""))
    unit = next((u for u in units if str(u.pk) == raw), None)
    if raw and unit is None:
        raise Http404("填报单位不存在或不在您的数据范围内。")
    if unit is None:
        parks = [u for u in units if u.kind == Organisation.Kind.PARK_COMMITTEE]
        candidates = parks or units
        unit = candidates[0] if candidates else None
    period, error = _period(str(data.get("period", "")), last_month())
    return units, unit, period, error


@require_http_methods(["GET", "POST"])
def entry(request: AuthedHttpRequest) -> HttpResponse:
    """The monthly grid of one unit: every indicator in a row; save, submit, review."""
    data = request.POST if request.method == "POST" else request.GET
    units, unit, period, error = _unit_and_period(request, data)
    indicators = [
        i
        for i in Indicator.objects.filter(is_active=True, numerator=None)
        if not i.is_annual or period.month == 12  # annual figures: the December entry only
    ]
    errors: dict[str, str] = {}
    if request.method == "POST":
        if unit is None or error:
            errors["__all__"] = error or "请选择填报单位。"
        else:
            errors = _save_grid(request, unit, period, indicators)
            if not errors:
                messages.success(request, "已保存。")
                return redirect(f"{reverse('stats:entry')}?unit={unit.pk}&period={period:%Y-%m}")
    rows = _grid_rows(unit, period, indicators, request.POST if errors else None)
    statuses = {r["status"] for r in rows if r["status"]}
    return render(
        request,
        "stats/entry.html",
        {
            "units": units,
            "unit": unit,
            "period": period,
            "period_error": error,
            "rows": rows,
            "errors": errors,
            "can_review": request.user.has_role(*services.REVIEW_ROLES),
            "has_editable": bool(statuses & {"draft", "returned"}),
            "has_submitted": "submitted" in statuses,
        },
        status=200,
    )


def _decimal(text: str) -> Decimal | None:
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise DomainError(f"“{text}”不是数字。") from None
    if not number.is_finite():
        raise DomainError(f"“{text}”不是数字。")
    return number


def _save_grid(
    request: AuthedHttpRequest, unit: Organisation, period: dt.date, indicators: list[Indicator]
) -> dict[str, str]:
    """Save every filled row; return {indicator code: error}. Each row is its own change."""
    errors: dict[str, str] = {}
    existing = {
        v.indicator_id: v for v in IndicatorValue.objects.filter(organisation=unit, period=period)
    }
    saved = 0
    for ind in indicators:
        key = ind.code
        try:
            value = _decimal(request.POST.get(f"{key}-value", ""))
            if value is None:
                continue
            data = services.ValueInput(
                value=value,
                yoy_percent=_decimal(request.POST.get(f"{key}-yoy", "")),
                base=_decimal(request.POST.get(f"{key}-base", "")),
                source=IndicatorValue.Source.SELF,
                note=request.POST.get(f"{key}-note", "")[:200],
            )
            current = existing.get(ind.pk)
            if (
                current is not None
                and current.status not in services.EDITABLE
                and current.value == value
            ):
                continue
            version_text = request.POST.get(f"{key}-version", "")
            services.save_value(
                actor=request.user,
                organisation=unit,
                indicator=ind,
                period=period,
                data=data,
                version=int(version_text) if version_text.isdigit() else None,
            )
            saved += 1
            previous = services.previous_cumulative(unit.pk, ind, period)
            for flag in range_flags(Candidate(0, ind.name, unit, ind, period, value, previous)):
                messages.warning(request, f"请核对：{flag.message}")
        except DomainError as exc:
            errors[key] = exc.message
    if not saved and not errors:
        errors["__all__"] = "没有填写任何数值。"
    return errors


def _grid_rows(
    unit: Organisation | None, period: dt.date, indicators: list[Indicator], posted: Any
) -> list[dict[str, Any]]:
    if unit is None:
        return []
    previous = period.replace(month=period.month - 1) if period.month > 1 else None
    values = {
        (v.indicator_id, v.period): v
        for v in IndicatorValue.objects.filter(
            organisation=unit, period__in=[p for p in (period, previous) if p]
        )
    }
    rows = []
    for ind in indicators:
        current = values.get((ind.pk, period))
        prev = values.get((ind.pk, previous)) if previous else None

        def field(name: str, stored: Any, *, ind: Indicator = ind) -> str:
            if posted is not None:
                return str(posted.get(f"{ind.code}-{name}", ""))
            return (
                ""
                if stored is None
                else f"{stored.normalize():f}"
                if isinstance(stored, Decimal)
                else str(stored)
            )

        rows.append(
            {
                "indicator": ind,
                "value": field("value", current.value if current else None),
                "yoy": field("yoy", current.yoy_percent if current else None),
                "base": field("base", current.base if current else None),
                "note": field("note", current.note if current else ""),
                "version": current.version if current else "",
                "status": current.status if current else "",
                "status_label": current.get_status_display() if current else "未填报",
                "return_reason": current.return_reason if current else "",
                "previous": "" if prev is None else f"{prev.value.normalize():f}",
                "editable": current is None or current.status in services.EDITABLE,
                "january": period.month == 1
                and ind.kind == Indicator.Kind.FLOW
                and not ind.january_published,
            }
        )
    return rows


@require_POST
def transition(request: AuthedHttpRequest) -> HttpResponse:
    """Submit, approve or return every eligible value of the unit and month."""
    _, unit, period, error = _unit_and_period(request, request.POST)
    action = request.POST.get("action", "")
    if unit is None or error or not request.POST.get("unit"):
        messages.error(request, error or "请选择填报单位。")
        return redirect("stats:entry")
    try:
        count = services.transition_unit_period(
            actor=request.user,
            organisation=unit,
            period=period,
            action=action,
            reason=request.POST.get("reason", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        label = {"submit": "报送", "approve": "审核通过", "return": "退回"}[action]
        messages.success(request, f"已{label} {count} 项。")
    return redirect(f"{reverse('stats:entry')}?unit={unit.pk}&period={period:%Y-%m}")


def grid_export(request: AuthedHttpRequest) -> HttpResponse:
    """The Excel grid (units in scope × indicators) of a month, pre-filled."""
    period, _ = _period(request.GET.get("period", ""), last_month())
    data = importers.grid_workbook(_units(request), period)
    return xlsx_response(f"指标填报_{period:%Y-%m}.xlsx", data)


@require_http_methods(["GET", "POST"])
def grid_import(request: AuthedHttpRequest) -> HttpResponse:
    """Upload the filled grid (or the long CSV): 试导入 keeps the file server-side, 确认导入
    posts its token (dudao.core.importflow) with the confirmation reason, if any."""
    kind = "indicators" if request.POST.get("kind") == "indicators" else "indicator_grid"
    reason = request.POST.get("confirm_reason", "").strip()[:200]
    flow = None
    if request.method == "POST":
        func = (
            importers.import_indicator_grid
            if kind == "indicator_grid"
            else importers.import_indicators
        )
        flow = run_upload(
            request, kind=kind, func=func, scope="stats", extra={"confirm_reason": reason}
        )
        if flow.committed and not flow.repeated:
            messages.success(request, flow.summary)
            for note in flow.warnings[:20]:
                messages.warning(request, note)
            return redirect("stats:grid_import")
    return render(
        request,
        "stats/import.html",
        {
            "max_mb": MAX_IMPORT_BYTES // 1024 // 1024,
            "flow": flow,
            "kind": kind,
            "confirm_reason": reason,
            "action": reverse("stats:grid_import"),
            "accept_csv": True,
            "extra_fields": "stats/_import_fields.html",
        },
    )


@require_http_methods(["GET", "POST"])
def settings_edit(request: AuthedHttpRequest) -> HttpResponse:
    """The [P] wording and rounding options (督查员)."""
    current = StatsSettings.current()
    initial = {"version": current.version}
    form = SettingsForm(request.POST or None, instance=current, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.update_settings(actor=request.user, version=version, **data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "统计设置已保存。")
            return redirect("stats:settings")
    return render(request, "stats/settings.html", {"form": form})


def review(request: AuthedHttpRequest) -> HttpResponse:
    """The review queue: every unit and month with submitted values in the reviewer's scope,
    oldest first; each row opens the unit's month on the entry page to approve or return."""
    lst = listing(
        request,
        selectors.review_queue(request.user),
        selectors.QUEUE_LIST_SORTS,
        default="submitted",
    )
    return render(
        request,
        "stats/review.html",
        {"page": lst.page, "list": lst, "query": query_without_page(request)},
    )
