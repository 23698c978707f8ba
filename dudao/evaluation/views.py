"""Pages of 省级考评: the provincial comparison, the province's parks over three years, regimes
and their configuration, results per regime and year with how each score was made, the
input grid, and the Excel imports. Views parse, call one selector or service, and render."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from dudao.core.exceptions import DomainError
from dudao.core.http import AuthedHttpRequest, add_domain_error
from dudao.core.importflow import FlowResult, run_upload
from dudao.core.imports import discover
from dudao.core.roles import Role
from dudao.core.xlsx import workbook_bytes, xlsx_response
from dudao.evaluation import forms, importers, selectors, services
from dudao.evaluation.models import (
    Dimension,
    Indicator,
    Method,
    ResultSet,
    StarRule,
    TitleKind,
    VetoGate,
)

DEFAULT_MIN_STARS = 2
HISTORY_YEARS = 3


def _can_edit(request: AuthedHttpRequest) -> bool:
    return request.user.has_role(Role.SUPERVISOR)


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _pick(request: AuthedHttpRequest) -> tuple[Any, int | None]:
    """The regime and year asked for in the query, else the latest result set's."""
    regimes = list(selectors.list_regimes(request.user))
    code = request.GET.get("regime", "")
    regime = next((r for r in regimes if r.code == code), None)
    year = _int(request.GET.get("year"), 0) or None
    if regime is None:
        latest = selectors.latest_result_set(request.user)
        regime = latest.regime if latest else (regimes[0] if regimes else None)
        if year is None and latest is not None:
            year = latest.year
    if regime is not None and year is None:
        years = [y["year"] for y in selectors.regime_years(regime) if y["result_set"]]
        year = years[0] if years else regime.first_year
    return regime, year


def comparison(request: AuthedHttpRequest) -> HttpResponse:
    """全省对比: 十强/十快/十先进/优秀 and parks with ≥ N stars per city, our city highlighted."""
    regime, year = _pick(request)
    min_stars = max(1, min(_int(request.GET.get("stars"), DEFAULT_MIN_STARS), 9))
    context: dict[str, Any] = {
        "regimes": selectors.list_regimes(request.user),
        "regime": regime,
        "year": year,
        "can_edit": _can_edit(request),
        "min_stars": min_stars,
        "star_choices": range(1, (regime.star_max if regime else 6) + 1),
        "kinds": TitleKind.choices,
    }
    if regime is not None and year is not None:
        rows = selectors.comparison(request.user, regime, year, min_stars=min_stars)
        context.update(
            rows=rows,
            chart=selectors.chart_data(rows, min_stars),
            years=[y["year"] for y in selectors.regime_years(regime) if y["result_set"]],
        )
    return render(request, "evaluation/comparison.html", context)


def province_parks(request: AuthedHttpRequest) -> HttpResponse:
    """全省园区考评一览: every park's rank, titles and star over the last three years."""
    regime, year = _pick(request)
    context: dict[str, Any] = {
        "regimes": selectors.list_regimes(request.user),
        "regime": regime,
        "year": year,
        "can_edit": _can_edit(request),
    }
    if regime is not None and year is not None:
        years = list(range(year - HISTORY_YEARS + 1, year + 1))
        city_key = request.GET.get("city", "")
        rows = selectors.parks_over_years(request.user, regime, years)
        cities = sorted(
            {(r.city.key, r.city.label, r.city.ours) for r in rows}, key=lambda c: (not c[2], c[0])
        )
        context.update(
            years=years,
            rows=[
                (r, [r.years.get(y, {}) for y in years])
                for r in rows
                if not city_key or r.city.key == city_key
            ],
            cities=cities,
            city_key=city_key,
            colspan=2 + 2 * len(years),
        )
    return render(request, "evaluation/parks.html", context)


def regime_list(request: AuthedHttpRequest) -> HttpResponse:
    """考评体系 list."""
    return render(
        request,
        "evaluation/regime_list.html",
        {"regimes": selectors.list_regimes(request.user), "can_edit": _can_edit(request)},
    )


def _regime_data(form: forms.RegimeForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data.pop("version", None)
    for key in ("source_doc", "description"):
        data[key] = data.get(key) or ""
    return data


@require_http_methods(["GET", "POST"])
def regime_create(request: AuthedHttpRequest) -> HttpResponse:
    """New regime (督查员)."""
    form = forms.RegimeForm(request.POST or None, regimes=selectors.list_regimes(request.user))
    if request.method == "POST" and form.is_valid():
        data = _regime_data(form)
        try:
            regime = services.create_regime(
                actor=request.user,
                code=data.pop("code"),
                name=data.pop("name"),
                first_year=data.pop("first_year"),
                **data,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "考评体系已建立，请继续添加维度、指标和否决事项。")
            return redirect("evaluation:regime_detail", pk=regime.pk)
    return render(request, "evaluation/form.html", {"form": form, "title": "新建考评体系"})


def regime_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """A regime's configuration and its years."""
    regime = selectors.get_regime(request.user, pk)
    if "year" in request.GET:  # the "open another year's grid" form
        year = selectors.year_or_404(request.GET["year"])
        return redirect("evaluation:inputs", pk=regime.pk, year=year)
    can_edit = _can_edit(request)
    context = {
        "regime": regime,
        "years": selectors.regime_years(regime),
        "can_edit": can_edit,
        **selectors.regime_config(regime),
    }
    if can_edit:
        context.update(
            dimension_form=forms.DimensionForm(),
            gate_form=forms.GateForm(),
            star_form=forms.StarRuleForm(),
            this_year=timezone.localdate().year,
        )
    return render(request, "evaluation/regime_detail.html", context)


@require_http_methods(["GET", "POST"])
def regime_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Edit a regime's attributes (a stale edit is refused with the current values)."""
    regime = selectors.get_regime(request.user, pk)
    initial = {f: getattr(regime, f) for f in services.REGIME_FIELDS}
    initial["version"] = regime.version
    others = selectors.list_regimes(request.user).exclude(pk=regime.pk)
    form = forms.RegimeForm(request.POST or None, initial=initial, regimes=others)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = _regime_data(form)
        data["is_active"] = regime.is_active
        try:
            services.update_regime(
                actor=request.user, regime=regime, version=form.cleaned_data["version"], **data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            status = exc.status_code if exc.status_code == 409 else 200
        else:
            messages.success(request, "考评体系已保存。")
            return redirect("evaluation:regime_detail", pk=regime.pk)
    return render(
        request,
        "evaluation/form.html",
        {"form": form, "title": f"编辑考评体系：{regime.name}", "back": regime},
        status=status,
    )


def _config_op(request: AuthedHttpRequest, regime: Any) -> str:
    """Run one configuration operation of the regime page; return the success message."""
    op = request.POST.get("op", "")
    item_id = _int(request.POST.get("id"), 0)
    actor = request.user
    if op == "dimension":
        form: Any = forms.DimensionForm(request.POST)
        if not form.is_valid():
            raise DomainError("请填写维度名称。")
        services.save_dimension(
            actor=actor,
            regime=regime,
            name=form.cleaned_data["name"],
            sort_order=form.cleaned_data["sort_order"] or 0,
        )
        return "维度已添加。"
    if op == "gate":
        form = forms.GateForm(request.POST)
        if not form.is_valid():
            raise DomainError("请完整填写否决事项的编码、名称和后果。")
        services.save_gate(actor=actor, regime=regime, **form.cleaned_data)
        return "否决事项已添加。"
    if op == "star":
        form = forms.StarRuleForm(request.POST)
        if not form.is_valid():
            raise DomainError("请填写星级，综合得分和排名须为数字。")
        d = form.cleaned_data
        services.save_star_rule(
            actor=actor,
            regime=regime,
            level=d["level"],
            min_score=d["min_score"],
            max_rank=d["max_rank"],
            conditions=form.condition_list(),
            source_doc=d["source_doc"] or "",
        )
        return f"{d['level']}星级条件已保存。"
    deletions: dict[str, tuple[Any, Any, str, str]] = {
        "delete_dimension": (Dimension, services.delete_dimension, "dimension", "维度已删除。"),
        "delete_indicator": (Indicator, services.delete_indicator, "indicator", "指标已删除。"),
        "delete_gate": (VetoGate, services.delete_gate, "gate", "否决事项已删除。"),
        "delete_star": (StarRule, services.delete_star_rule, "rule", "星级条件已删除。"),
    }
    if op not in deletions:
        raise DomainError("未知的操作。")
    model, func, arg, message = deletions[op]
    item = get_object_or_404(model.objects.visible_to(actor), pk=item_id, regime=regime)
    func(actor=actor, **{arg: item})
    return message


@require_POST
def regime_config(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Add or remove a dimension, gate or star rule; remove an indicator (督查员)."""
    regime = selectors.get_regime(request.user, pk)
    try:
        messages.success(request, _config_op(request, regime))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("evaluation:regime_detail", pk=regime.pk)


def _indicator_form(
    request: AuthedHttpRequest, regime: Any, indicator: Indicator | None
) -> HttpResponse:
    initial = forms.IndicatorForm.initial_from(indicator) if indicator else None
    form = forms.IndicatorForm(
        request.POST or None, initial=initial, dimensions=regime.dimensions.all()
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.save_indicator(
                actor=request.user,
                regime=regime,
                indicator=indicator,
                code=d["code"],
                name=d["name"],
                unit=d["unit"] or "",
                method=d["method"],
                weight=d["weight"],
                params=form.params(),
                dimension=d["dimension"],
                sort_order=d["sort_order"] or 0,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "指标已保存。")
            return redirect("evaluation:regime_detail", pk=regime.pk)
    title = f"编辑指标：{indicator.name}" if indicator else f"为「{regime.name}」添加指标"
    return render(
        request,
        "evaluation/indicator_form.html",
        {"form": form, "title": title, "regime": regime},
    )


@require_http_methods(["GET", "POST"])
def indicator_create(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Add an indicator with its scoring method (督查员)."""
    return _indicator_form(request, selectors.get_regime(request.user, pk), None)


@require_http_methods(["GET", "POST"])
def indicator_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Change an indicator (督查员)."""
    indicator = get_object_or_404(
        Indicator.objects.visible_to(request.user).select_related("regime"), pk=pk
    )
    return _indicator_form(request, indicator.regime, indicator)


def results(request: AuthedHttpRequest, pk: int, year: int) -> HttpResponse:
    """The province ranking of a regime and year, with titles, awarded and eligible stars."""
    regime = selectors.get_regime(request.user, pk)
    year = selectors.year_or_404(year)
    result_set = ResultSet.objects.visible_to(request.user).filter(regime=regime, year=year).first()
    return render(
        request,
        "evaluation/results.html",
        {
            "regime": regime,
            "year": year,
            "result_set": result_set,
            "rows": selectors.province_ranking(request.user, regime, year),
            "can_edit": _can_edit(request),
            "reason_form": forms.ReasonForm(),
        },
    )


def result_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """How one park's score was made: raw values, method, formula, score of every item."""
    result = selectors.get_result(request.user, pk)
    labels = dict(Method.choices)
    items = [
        {**item, "method_label": labels.get(item["method"], item["method"])}
        for item in result.detail.get("items", [])
    ]
    return render(request, "evaluation/result_detail.html", {"result": result, "items": items})


@require_http_methods(["GET", "POST"])
def inputs(request: AuthedHttpRequest, pk: int, year: int) -> HttpResponse:
    """The entry grid: parks × indicators and gates of a regime for a year (督查员 saves)."""
    regime = selectors.get_regime(request.user, pk)
    year = selectors.year_or_404(year)
    grid = selectors.input_grid(request.user, regime, year)
    errors: list[str] = []
    if request.method == "POST":
        values: dict[tuple[int, str], Decimal | None] = {}
        for park in grid.parks:
            for code, name in grid.columns:
                key = f"v-{park.pk}-{code}"
                if key not in request.POST:
                    continue
                text = request.POST[key].strip().replace(",", "")
                try:
                    values[(park.pk, code)] = Decimal(text) if text else None
                    if text and not values[(park.pk, code)].is_finite():  # type: ignore[union-attr]
                        raise InvalidOperation
                except InvalidOperation:
                    errors.append(f"{park.name}「{name}」应为数字，实为「{text}」。")
        if not errors and not values:
            errors.append("没有收到任何数据。")
        if not errors:
            try:
                changes = services.set_inputs(
                    actor=request.user, regime=regime, year=year, values=values
                )
            except DomainError as exc:
                errors.append(exc.message)
            else:
                messages.success(
                    request,
                    f"已保存：新增 {changes.created} 项，修改 {changes.updated} 项，"
                    f"清除 {changes.deleted} 项。"
                    if changes.changed
                    else "数据没有变化。",
                )
                return redirect("evaluation:inputs", pk=regime.pk, year=year)
    # After a refused save the grid shows what the user typed, not the stored values.
    typed = request.POST if errors else {}
    rows = [
        (
            park,
            [
                (code, typed.get(f"v-{park.pk}-{code}", grid.values.get((park.pk, code))))
                for code, _ in grid.columns
            ],
        )
        for park in grid.parks
    ]
    return render(
        request,
        "evaluation/inputs.html",
        {
            "regime": regime,
            "year": year,
            "columns": grid.columns,
            "rows": rows,
            "errors": errors,
            "can_edit": _can_edit(request),
        },
        status=400 if errors else 200,
    )


def inputs_export(request: AuthedHttpRequest, pk: int, year: int) -> HttpResponse:
    """The input grid as the import file (long format), pre-filled: the Excel round trip."""
    regime = selectors.get_regime(request.user, pk)
    year = selectors.year_or_404(year)
    data = workbook_bytes(
        importers.template_sheets("evaluation-inputs", importers.inputs_rows(regime, year))
    )
    return xlsx_response(f"考评原始数据_{regime.code}_{year}.xlsx", data)


@require_POST
def compute(request: AuthedHttpRequest, pk: int, year: int) -> HttpResponse:
    """Compute the year's results from the inputs (督查员)."""
    regime = selectors.get_regime(request.user, pk)
    year = selectors.year_or_404(year)
    try:
        result_set = services.compute_results(actor=request.user, regime=regime, year=year)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("evaluation:regime_detail", pk=regime.pk)
    messages.success(request, f"已计算{year}年{result_set.parks}个园区的考评结果。")
    return redirect("evaluation:results", pk=regime.pk, year=year)


@require_POST
def result_set_delete(request: AuthedHttpRequest, pk: int, year: int) -> HttpResponse:
    """Delete a year's results (督查员, with a reason)."""
    regime = selectors.get_regime(request.user, pk)
    year = selectors.year_or_404(year)
    result_set = get_object_or_404(
        ResultSet.objects.visible_to(request.user), regime=regime, year=year
    )
    form = forms.ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写删除原因。")
        return redirect("evaluation:results", pk=regime.pk, year=year)
    services.delete_result_set(
        actor=request.user, result_set=result_set, reason=form.cleaned_data["reason"]
    )
    messages.success(request, f"{year}年的考评结果已删除。")
    return redirect("evaluation:regime_detail", pk=regime.pk)


@require_http_methods(["GET", "POST"])
def import_file(request: AuthedHttpRequest) -> HttpResponse:
    """Upload an Excel file of one of the four kinds: 试导入 keeps the file server-side, 确认导入
    posts its token (dudao.core.importflow)."""
    labels = dict(forms.EVALUATION_IMPORTS)
    kind = request.POST.get("kind", "")
    flow = None
    if request.method == "POST":
        if kind not in labels:
            flow = FlowResult(message="请选择导入内容。")
        else:
            func = discover()[kind].func
            flow = run_upload(request, kind=kind, func=func, scope="evaluation")
    return render(
        request,
        "evaluation/import.html",
        {
            "flow": flow,
            "kind": kind,
            "kinds": forms.EVALUATION_IMPORTS,
            "action": reverse("evaluation:import"),
            "extra_fields": "evaluation/_import_fields.html",
        },
        status=400 if flow is not None and flow.errors else 200,
    )


def import_template(request: AuthedHttpRequest, kind: str) -> HttpResponse:
    """An empty import template with its 说明 sheet."""
    if kind not in importers.HEADERS:
        raise Http404
    label = dict(forms.EVALUATION_IMPORTS)[kind]
    return xlsx_response(f"{label}模板.xlsx", workbook_bytes(importers.template_sheets(kind)))
