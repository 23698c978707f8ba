"""Pages of 年度目标. Thin: parse the request, call one selector or service, render."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dudao.core.exceptions import DomainError
from dudao.core.http import AuthedHttpRequest, query_without_page
from dudao.core.importflow import run_upload
from dudao.core.lights import Light
from dudao.core.listing import listing
from dudao.core.periods import Period, month_or_default
from dudao.orgs.models import Organisation
from dudao.targets import importers, selectors, services
from dudao.targets.api import default_period
from dudao.targets.models import TargetRow, TargetSet, TargetSettings
from dudao.targets.policy import POLICY

SUBNAV = (
    ("targets:set_list", "目标表"),
    ("targets:standings", "分类排队"),
    ("targets:weak_links", "薄弱环节"),
    ("targets:import", "导入目标表"),
    ("targets:classes", "目标分类"),
    ("targets:settings", "亮灯阈值"),
)
SORTS = {
    "unit": lambda r: (r.row.unit.sort_order, r.row.unit.path, r.row.indicator.sort_order),
    "indicator": lambda r: (r.row.indicator.sort_order, r.progress.unit_name),
    "gap": lambda r: (r.progress.gap_pp is None, r.progress.gap_pp or 0),
    "light": lambda r: (-Light(r.progress.light).severity, r.progress.gap_pp or 0),
    "rank": lambda r: (r.row.indicator.sort_order, r.class_name, r.rank_in_class or 10**6),
    "type": lambda r: r.row.kind,
    "rate": lambda r: r.progress.completion_rate,
    "schedule": lambda r: r.progress.schedule_rate,
}
SET_SORTS: dict[str, tuple[str, ...]] = {
    "year": ("-year", "level"),
    "title": ("title",),
    "issuer": ("issuer__path",),
    "level": ("level",),
    "document": ("document",),
    "status": ("status",),
}


def _in_given_order(rows: list[Any]) -> Any:
    """A sort key keeping the selector's own order (the ranking tables: by rank)."""
    position = {id(r): i for i, r in enumerate(rows)}
    return lambda r: position[id(r)]


def _standing_sorts(rows: list[Any]) -> dict[str, Any]:
    return {
        "rank": _in_given_order(rows),
        "unit": lambda s: s.unit_name,
        "score": lambda s: -s.weighted_score if s.weighted_score is not None else None,
        "change": lambda s: -s.rank_change if s.rank_change is not None else None,
        "weak": lambda s: -s.weak_links,
        "rows": lambda s: -s.rows,
    }


def _weak_sorts(rows: list[Any]) -> dict[str, Any]:
    return {
        "gap": _in_given_order(rows),
        "unit": lambda r: r.progress.unit_name,
        "indicator": lambda r: (r.row.indicator.sort_order, r.progress.unit_name),
        "light": SORTS["light"],
    }


def _render(request: AuthedHttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    current = request.resolver_match.view_name if request.resolver_match else ""
    context["subnav"] = [
        {"url": reverse(name), "label": label, "active": name == current}
        for name, label in SUBNAV
        if POLICY[name]["GET"].allows(request.user)
    ]
    context["can_edit"] = POLICY["targets:row_edit"]["POST"].allows(request.user)
    return render(request, template, context)


def _period(request: AuthedHttpRequest) -> tuple[Period, str]:
    period, problem = month_or_default(request.GET.get("period"), default_period())
    if problem:
        messages.warning(request, problem)
    return period, problem


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def set_list(request: AuthedHttpRequest) -> HttpResponse:
    sets = selectors.visible_sets(request.user).select_related("issuer")
    lst = listing(request, sets, SET_SORTS, default="year", per_page=30)
    return _render(
        request,
        "targets/set_list.html",
        {"page": lst.page, "list": lst, "query": query_without_page(request)},
    )


def set_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    target_set = selectors.get_set(request.user, pk)
    period, _ = _period(request)
    if period.year != target_set.year:
        period = Period.month(target_set.year, 12 if period.year > target_set.year else 1)
    g = request.GET
    f = selectors.SheetFilters(
        class_name=g.get("class", "")[:20],
        unit_id=_int(g.get("unit")),
        indicator_id=_int(g.get("indicator")),
        light=g.get("light", "") if g.get("light", "") in Light.values else "",
        weak_only=g.get("weak") == "1",
    )
    results = selectors.sheet(request.user, target_set, period.year, period.last_month, f)
    lst = listing(request, results, SORTS, default="unit")
    page = lst.page
    context = {
        "set": target_set,
        "period": period,
        "months": [Period.month(target_set.year, m) for m in range(1, 13)],
        "page": page,
        "query": query_without_page(request),
        "list": lst,
        "filters": f,
        "units": selectors.unit_choices(request.user, target_set),
        "indicators": selectors.indicators(),
        "class_names": sorted({c.name for c in selectors.classes(request.user, target_set.year)}),
        "lights": Light.choices,
        "owners": Organisation.objects.visible_to(request.user)
        .filter(is_active=True)
        .order_by("path")[:500],
        "default_deadline": timezone.localdate() + dt.timedelta(days=30),
    }
    return _render(request, "targets/set_detail.html", context)


@require_POST
def set_approve(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    target_set = selectors.get_set(request.user, pk)
    try:
        services.approve_set(
            actor=request.user, target_set=target_set, version=_int(request.POST.get("version"))
        )
        messages.success(request, "目标表已下达。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("targets:set_detail", pk=pk)


def standings(request: AuthedHttpRequest) -> HttpResponse:
    period, _ = _period(request)
    rows = selectors.standings(request.user, year=period.year, month=period.last_month)
    lst = listing(request, rows, _standing_sorts(rows), default="rank", per_page=100)
    return _render(
        request,
        "targets/standings.html",
        {"period": period, "page": lst.page, "list": lst, "query": query_without_page(request)},
    )


def weak_links(request: AuthedHttpRequest) -> HttpResponse:
    period, _ = _period(request)
    rows = selectors.weak_links(request.user, period.year, period.last_month)
    lst = listing(request, rows, _weak_sorts(rows), default="gap")
    return _render(
        request,
        "targets/weak_links.html",
        {
            "period": period,
            "page": lst.page,
            "list": lst,
            "query": query_without_page(request),
            "owners": Organisation.objects.visible_to(request.user)
            .filter(is_active=True)
            .order_by("path")[:500],
            "default_deadline": timezone.localdate() + dt.timedelta(days=30),
        },
    )


def import_sheet(request: AuthedHttpRequest) -> HttpResponse:
    """Upload the city's target sheet or the province's ranks: 试导入 keeps the file
    server-side, 确认导入 posts its token (dudao.core.importflow)."""
    ranks = request.POST.get("kind") == importers.RANK_KIND
    kind = importers.RANK_KIND if ranks else importers.KIND
    flow = None
    if request.method == "POST":
        func = importers.import_ranks if ranks else importers.import_targets
        flow = run_upload(request, kind=kind, func=func, scope="targets")
    context: dict[str, Any] = {
        "columns": importers.REQUIRED,
        "optional": importers.OPTIONAL,
        "rank_columns": importers.RANK_REQUIRED + importers.RANK_OPTIONAL,
        "flow": flow,
        "kind": kind,
        "kinds": ((importers.KIND, "年度目标表"), (importers.RANK_KIND, "全省可比位次")),
        "action": request.path,
        "accept_csv": True,
        "extra_fields": "targets/_import_fields.html",
    }
    return _render(request, "targets/import.html", context)


def _decimal(value: str | None) -> Decimal | None:
    try:
        d = Decimal((value or "").strip().replace(",", ""))
    except InvalidOperation:
        return None
    return d if d.is_finite() and abs(d) < Decimal("1e13") else None


def row_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    row = selectors.get_row(request.user, pk)
    if request.method == "POST":
        p = request.POST
        changes: dict[str, Any] = {}
        value, weight = _decimal(p.get("target_value")), _decimal(p.get("weight"))
        if value is None or weight is None:
            messages.error(request, "目标值和权重必须是数字。")
            return redirect("targets:row_edit", pk=pk)
        changes["target_value"] = value
        changes["weight"] = weight
        changes["kind"] = p.get("kind", row.kind)
        curve_text = (p.get("curve") or "").strip()
        changes["curve"] = (
            [c for c in importers._SPLIT.split(curve_text) if c] if curve_text else []
        )
        try:
            services.update_row(
                actor=request.user,
                row=row,
                version=_int(p.get("version")),
                reason=p.get("reason", ""),
                **changes,
            )
            messages.success(request, "目标已修改。")
            return redirect("targets:set_detail", pk=row.target_set_id)
        except (DomainError, ArithmeticError) as exc:
            messages.error(request, getattr(exc, "message", "输入有误。"))
    return _render(
        request,
        "targets/row_edit.html",
        {
            "row": row,
            "kinds": TargetRow.Kind.choices,
            "approved": row.target_set.status == TargetSet.Status.APPROVED,
            "curve_text": "、".join(str(v) for v in (row.curve or [])),
        },
    )


@require_POST
def improve(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    row = selectors.get_row(request.user, pk)
    p = request.POST
    back = p.get("next", "")
    target = back if back.startswith("/targets/") else reverse("targets:weak_links")
    period, problem = month_or_default(p.get("period"), default_period())
    owner = (
        Organisation.objects.visible_to(request.user).filter(pk=_int(p.get("owner")) or 0).first()
    )
    try:
        deadline = dt.date.fromisoformat(p.get("deadline", ""))
    except ValueError:
        deadline = None
    if problem or owner is None or deadline is None or period.year != row.target_set.year:
        messages.error(request, "请选择整改牵头单位、完成时限和本年度的月份。")
        return redirect(target)
    evaluated = selectors.evaluate_rows(request.user, [row], period.year, period.last_month)[0]
    if not evaluated.progress.weak:
        messages.error(request, "该目标本月不是薄弱环节，无需转为整改任务。")
        return redirect(target)
    try:
        link = services.create_improvement(
            actor=request.user,
            row=row,
            year=period.year,
            month=period.last_month,
            owner=owner,
            deadline=deadline,
            measure=p.get("measure", ""),
            responsible_person=p.get("responsible_person", ""),
            gap_display=evaluated.progress.gap_display,
        )
        messages.success(request, f"已交办整改督查任务 {link.task.code}。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(target)


SETTING_FIELDS = (
    "yellow_from",
    "red_above",
    "weak_from",
    "rate_yellow_from",
    "rate_red_above",
    "rate_weak_from",
)


def settings_page(request: AuthedHttpRequest) -> HttpResponse:
    s = TargetSettings.current()
    if request.method == "POST":
        values = {k: _decimal(request.POST.get(k)) for k in SETTING_FIELDS}
        if any(v is None or v < 0 or v > 100 for v in values.values()):
            messages.error(request, "阈值应为0到100之间的数字。")
        else:
            try:
                services.update_settings(
                    actor=request.user,
                    version=_int(request.POST.get("version")),
                    **{k: v for k, v in values.items() if v is not None},
                )
                messages.success(request, "阈值已保存。")
                return redirect("targets:settings")
            except DomainError as exc:
                messages.error(request, exc.message)
    fields = [
        (
            name,
            getattr(TargetSettings._meta.get_field(name), "verbose_name", name),
            getattr(s, name),
        )
        for name in SETTING_FIELDS
    ]
    return _render(request, "targets/settings.html", {"s": s, "fields": fields})


def _class_lines(
    text: str, index: dict[str, Organisation]
) -> tuple[dict[str, list[Organisation]], list[str]]:
    """ "一类：甲县、乙县" per line → classes; unknown names are reported, not guessed."""
    classes: dict[str, list[Organisation]] = {}
    problems: list[str] = []
    for n, line in enumerate(text.splitlines()[:50], start=1):
        if not line.strip():
            continue
        name, sep, members = line.replace(":", "：").partition("：")
        if not sep:
            problems.append(f"第{n}行应写作“分类名：单位、单位”。")
            continue
        found = []
        for part in importers._SPLIT.split(members.strip()):
            if part and part in index:
                found.append(index[part])
            elif part:
                problems.append(f"第{n}行：找不到单位“{part[:40]}”，或不在您的数据范围内。")
        classes[name.strip()[:40]] = found
    return classes, problems


def classes_page(request: AuthedHttpRequest) -> HttpResponse:
    """The classes of a year: by a list (one line per class), or by size of an indicator."""
    period, _ = _period(request)
    year = _int(request.POST.get("year") or request.GET.get("year")) or period.year
    units = list(
        Organisation.objects.visible_to(request.user)
        .filter(
            is_active=True,
            kind__in=(Organisation.Kind.COUNTY_GOV, Organisation.Kind.PARK_COMMITTEE),
        )
        .order_by("sort_order", "path")
    )
    index = importers._org_index(units)
    if request.method == "POST":
        p = request.POST
        try:
            if p.get("mode") == "size":
                names = [n for n in importers._SPLIT.split(p.get("names", "").strip()) if n][:10]
                counties = [u for u in units if u.kind == Organisation.Kind.COUNTY_GOV]
                classes = services.split_by_size(
                    actor=request.user,
                    year=year,
                    indicator_code=p.get("indicator", "")[:40],
                    names=names,
                    units=counties,
                )
                basis = f"按{year - 1}年{p.get('indicator', '')[:40]}规模"
            else:
                classes, problems = _class_lines(p.get("lines", ""), index)
                if problems:
                    raise DomainError("；".join(problems[:10]))
                basis = "按名单"
            services.set_classes(actor=request.user, year=year, classes=classes, basis=basis)
            messages.success(request, f"{year}年目标分类已保存。")
        except DomainError as exc:
            messages.error(request, exc.message)
    current = [
        c
        for c in selectors.classes(request.user, year)
        if c.owner_id == request.user.organisation_id
    ]
    shown = selectors.classes(request.user, year)
    lines = "\n".join(
        f"{c.name}：{'、'.join(m.short_name or m.name for m in c.members.all())}"
        for c in (current or shown)
    )
    return _render(
        request,
        "targets/classes.html",
        {
            "year": year,
            "classes": shown,
            "lines": lines,
            "indicators": selectors.stats_indicator_codes(),
        },
    )
