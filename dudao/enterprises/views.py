"""Pages of 企业服务与亩均效益: the enterprise list and profile (figures with sources, grade with
its explanation, factor policies), and the grade list per park with its Excel export."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from dudao.core.http import AuthedHttpRequest, paginate, query_without_page
from dudao.core.listing import listing, sort_rows
from dudao.core.roles import Role
from dudao.core.xlsx import Column, Sheet, workbook_bytes, xlsx_response
from dudao.enterprises import selectors, service_selectors
from dudao.enterprises.forms import AssignForm, BindAccountForm
from dudao.enterprises.models import EvaluationRun
from dudao.enterprises.rules import Grade, UngradedClass
from dudao.parks.selectors import visible_parks


def enterprise_list(request: AuthedHttpRequest) -> HttpResponse:
    f = selectors.EnterpriseFilter.from_query(request.GET)
    order = request.GET.get("order", "")
    page = paginate(request, selectors.list_enterprises(request.user, f, order), 50)
    return render(
        request,
        "enterprises/list.html",
        {
            "page": page,
            "f": f,
            "order": order,
            "query": query_without_page(request),
            "parks": visible_parks(request.user).order_by("sort_order", "code"),
        },
    )


def enterprise_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    enterprise = selectors.get_enterprise(request.user, pk)
    result = selectors.latest_result(enterprise)
    run = result.run if result is not None else None
    return render(
        request,
        "enterprises/detail.html",
        {
            "e": enterprise,
            "result": result,
            "lines": selectors.explain(result) if result is not None else [],
            "ungraded_label": UngradedClass(result.ungraded_class).label
            if result is not None and result.ungraded_class
            else "",
            "policies": selectors.factor_policies(run, result.grade if result else None),
            "years": selectors.annual_values(enterprise),
            "officers": service_selectors.officers_of(enterprise, timezone.localdate()),
            "visits": service_selectors.enterprise_visits(enterprise).prefetch_related("photos")[
                :50
            ],
            "demands": service_selectors.enterprise_demands(enterprise)[:50],
            "can_assign": request.user.has_role(Role.SUPERVISOR),
            "assign_form": AssignForm(initial={"valid_from": timezone.localdate()}),
            "bind_form": BindAccountForm(),
            "accounts": service_selectors.bound_accounts(enterprise),
            "today": timezone.localdate(),
        },
    )


def _grade_context(request: AuthedHttpRequest) -> dict[str, Any]:
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
    run: EvaluationRun | None = selectors.current_run(request.user, year)
    park_text = request.GET.get("park", "")
    park = int(park_text) if park_text.isdigit() and len(park_text) < 10 else None
    grade = request.GET.get("grade", "")
    results = (
        selectors.grade_list(request.user, run, park=park, grade=grade) if run is not None else None
    )
    return {
        "run": run,
        "years": selectors.run_years(request.user),
        "park": park,
        "grade": grade,
        "results": results,
        "grades": list(Grade),
        "parks": visible_parks(request.user).order_by("sort_order", "code"),
    }


def grade_list(request: AuthedHttpRequest) -> HttpResponse:
    """The grade list: shaped rows, paged and sorted by core.listing (rank order by default)."""
    context = _grade_context(request)
    results = context["results"]
    run = context["run"]
    lst = (
        listing(
            request,
            selectors.grade_rows(results),
            selectors.RESULT_SORTS,
            default="rank",
        )
        if results is not None
        else None
    )
    context.update(
        {
            "list": lst,
            "page": lst.page if lst is not None else None,
            "rows": selectors.with_names(list(lst.page.object_list)) if lst else [],
            "shares": selectors.grade_shares(
                selectors.grade_list(request.user, run, park=context["park"])
            )
            if run is not None
            else [],
            "policies": selectors.factor_policies(run),
            "query": query_without_page(request),
        }
    )
    return render(request, "enterprises/grades.html", context)


EXPORT_COLUMNS = [
    Column("企业名称", 32),
    Column("统一社会信用代码", 22),
    Column("所在园区", 20),
    Column("企业类型", 10),
    Column("分项合计", 12, "decimal2"),
    Column("加分", 8, "decimal2"),
    Column("减分", 8, "decimal2"),
    Column("综合得分", 12, "decimal2"),
    Column("排名", 8, "int"),
    Column("参评数", 8, "int"),
    Column("评价类别", 18),
    Column("说明", 20),
]


def grade_export(request: AuthedHttpRequest) -> HttpResponse:
    """The grade list as shown (same filters and order) as .xlsx."""
    context = _grade_context(request)
    run = context["run"]
    results = context["results"]
    shaped = (
        sort_rows(
            request,
            selectors.grade_rows(results, names=True),
            selectors.RESULT_SORTS,
            default="rank",
        )[:100000]
        if results is not None
        else []
    )
    rows = (
        [
            r["enterprise__name"],
            r["enterprise__uscc"],
            r["park_display"],
            r["scale_label"],
            r["item_score"],
            r["bonus"],
            r["penalty"],
            r["total"],
            r["rank"],
            r["ranked_count"],
            r["grade_label"],
            "" if r["graded"] else f"{r['ungraded_label']}，不分档，按B类管理",
        ]
        for r in map(selectors.shape_row, shaped)
    )
    year = run.year if run is not None else timezone.localdate().year
    data = workbook_bytes(
        [Sheet(name=f"{year}年度亩均效益评价", columns=EXPORT_COLUMNS, rows=rows)]
    )
    return xlsx_response(f"亩均效益评价_{year}.xlsx", data)
