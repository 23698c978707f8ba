"""Pages of 招商引资. Thin: parse, call a selector or a service, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from dudao.accounts.roles import Role
from dudao.core import numbers
from dudao.core.bounds import check_year
from dudao.core.exceptions import DomainError
from dudao.core.http import AuthedHttpRequest, add_domain_error, query_without_page
from dudao.core.listing import listing, sort_rows
from dudao.core.periods import parse_month
from dudao.core.xlsx import Column, Sheet, workbook_bytes, xlsx_response
from dudao.investment import figures, rules, selectors, services
from dudao.investment.forms import (
    DealForm,
    EntryForm,
    FundsForm,
    OverrideForm,
    PeriodForm,
    PromoteForm,
    SendForm,
    SendTaskForm,
    TransitionForm,
    VerifyForm,
)
from dudao.investment.models import PIPELINE, Deal, Stage, ThreeBatchEntry
from dudao.problems.selectors import categories as problem_categories
from dudao.projects.selectors import active_categories
from dudao.supervision.services import task_url


def _filters(request: AuthedHttpRequest) -> dict[str, Any]:
    f = selectors.DealFilter.from_query(request.GET)
    return {
        "f": f,
        "counties": selectors.county_choices(request.user),
        "chains": selectors.chain_choices(request.user),
        "bands": [(k, v[0]) for k, v in selectors.BANDS.items()],
        "stages": selectors.STAGE_CHOICES,
    }


def board(request: AuthedHttpRequest) -> HttpResponse:
    """The pipeline board (counts and amounts by stage) and the deal list under it."""
    context = _filters(request)
    f = context["f"]
    lst = listing(
        request, selectors.list_deals(request.user, f), selectors.DEAL_SORTS, default="lead"
    )
    page = lst.page
    deals = list(page.object_list)
    stall = selectors.stalls(deals)
    context.update(
        {
            "columns": selectors.pipeline_board(request.user, f),
            "page": page,
            "list": lst,
            "rows": [(d, stall[d.pk]) for d in deals],
            "query": query_without_page(request),
            "can_create": request.user.has_role(*services.WORKERS),
        }
    )
    return render(request, "investment/board.html", context)


EXPORT_COLUMNS = [
    Column("项目编号", 14),
    Column("项目名称", 36),
    Column("投资方", 28),
    Column("所在县（市、区）", 14),
    Column("产业链", 12),
    Column("阶段", 10),
    Column("合同投资额（万元）", 16, "decimal2"),
    Column("首次签约日期", 12, "date"),
    Column("准入核查", 14),
    Column("停滞情况", 20),
]


def export(request: AuthedHttpRequest) -> HttpResponse:
    """The deal list as shown (same filters and order) as .xlsx."""
    f = selectors.DealFilter.from_query(request.GET)
    qs = selectors.list_deals(request.user, f)
    deals = list(sort_rows(request, qs, selectors.DEAL_SORTS, "lead")[:20000])
    stall = selectors.stalls(deals)
    rows = (
        [
            d.code,
            d.name,
            d.investor,
            d.county.short_name or d.county.name,
            d.chain.name if d.chain else "",
            d.stage_label(),
            d.contract_investment,
            d.first_signed_on,
            d.get_screening_display(),
            stall[d.pk].text,
        ]
        for d in deals
    )
    data = workbook_bytes([Sheet(name="招商项目", columns=EXPORT_COLUMNS, rows=rows)])
    return xlsx_response(f"招商项目_{timezone.localdate():%Y%m%d}.xlsx", data)


@require_http_methods(["GET", "POST"])
def create(request: AuthedHttpRequest) -> HttpResponse:
    kwargs = {
        "orgs": selectors.responsible_choices(request.user),
        "chains": selectors.chain_choices(request.user),
    }
    form = DealForm(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        data = form.service_fields()
        try:
            deal = services.create_deal(
                actor=request.user,
                name=data.pop("name"),
                investor=data.pop("investor"),
                responsible_org=data.pop("responsible_org"),
                lead_on=data.pop("lead_on"),
                **data,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已登记招商项目 {deal.code}。")
            return redirect("investment:detail", pk=deal.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "investment/form.html", {"form": form}, status=status)


def _detail_context(request: AuthedHttpRequest, deal: Deal) -> dict[str, Any]:
    user = request.user
    worker = services.is_worker(user, deal)
    nxt = rules.next_stage(deal.stage)
    return {
        "deal": deal,
        "stall": selectors.stalls([deal])[deal.pk],
        "timeline": selectors.timeline(deal),
        "checks": selectors.checks(deal),
        "fundings": selectors.fundings(deal),
        "next_stage": Stage(nxt) if nxt and worker else None,
        "earlier": [Stage(s) for s in PIPELINE[: max(rules.stage_index(deal.stage), 0)]]
        if worker
        else [],
        "can_terminate": worker and not deal.is_terminated,
        "can_override": user.has_role(Role.SUPERVISOR) and deal.screening == Deal.Screening.FAILED,
        "can_promote": user.has_role(*services.PROMOTERS)
        and worker
        and deal.project_id is None
        and deal.stage in services.PROMOTABLE
        and deal.screening != Deal.Screening.FAILED,
        "can_funds": worker and rules.stage_index(deal.stage) >= rules.stage_index(Stage.SIGNED),
        "can_verify": user.has_role(*services.VERIFIERS),
        "can_send": user.has_role(Role.SUPERVISOR, Role.REVIEWER) and not deal.is_terminated,
        "can_send_task": user.has_role(Role.SUPERVISOR)
        and not deal.is_terminated
        and deal.supervision_task_id is None,
        "task_url": task_url(deal.supervision_task) if deal.supervision_task else "",
        "task_deadline": timezone.localdate() + dt.timedelta(days=services.TASK_DEADLINE_DAYS),
        "project_categories": active_categories() if deal.project_id is None else [],
        "problem_categories": problem_categories(),
        "signing_events": selectors.signing_events_for(user),
        "agreements": Deal.Agreement.choices,
        "reasons": Deal.TerminationReason.choices,
        "today": timezone.localdate(),
    }


def detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    deal = selectors.get_deal(request.user, pk)
    return render(request, "investment/detail.html", _detail_context(request, deal))


def _again(request: AuthedHttpRequest, pk: int, message: str, status: int) -> HttpResponse:
    deal = selectors.get_deal(request.user, pk)
    context = _detail_context(request, deal)
    context["error"] = message
    return render(request, "investment/detail.html", context, status=status)


@require_POST
def transition(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    deal = selectors.get_deal(request.user, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _again(request, pk, "请求不完整，请刷新页面后重试。", 400)
    d = form.cleaned_data
    try:
        if d["action"] == "advance":
            event = None
            if d["signing_event"]:
                event = (
                    selectors.signing_events_for(request.user).filter(pk=d["signing_event"]).first()
                )
                if event is None:
                    raise DomainError("签约活动不存在。", field="signing_event")
            deal = services.advance(
                actor=request.user,
                deal=deal,
                version=d["version"],
                on=d["on"] or timezone.localdate(),
                evidence=d["evidence"],
                note=d["note"],
                agreement_type=d["agreement_type"],
                signing_event=event,
                uscc=d["uscc"],
                project_code=d["project_code"],
            )
        elif d["action"] == "back":
            deal = services.move_back(
                actor=request.user,
                deal=deal,
                version=d["version"],
                to_stage=d["to_stage"],
                reason=d["note"],
            )
        else:
            deal = services.terminate(
                actor=request.user,
                deal=deal,
                version=d["version"],
                reason=d["reason"],
                note=d["note"],
                on=d["on"],
            )
    except DomainError as exc:
        return _again(request, pk, exc.message, exc.status_code)
    text = f"{deal.code}：当前阶段为“{deal.stage_label()}”。"
    if deal.screening == Deal.Screening.FAILED:
        messages.warning(request, text + "准入核查未通过，须督查员特批后才能继续推进。")
    else:
        messages.success(request, text)
    return redirect("investment:detail", pk=deal.pk)


@require_POST
def override(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    deal = selectors.get_deal(request.user, pk)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        return _again(request, pk, "请求不完整，请刷新页面后重试。", 400)
    try:
        services.override_screening(
            actor=request.user,
            deal=deal,
            version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as exc:
        return _again(request, pk, exc.message, exc.status_code)
    messages.success(request, f"{deal.code}：已特批，项目可以继续推进。")
    return redirect("investment:detail", pk=pk)


@require_POST
def promote(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    deal = selectors.get_deal(request.user, pk)
    form = PromoteForm(request.POST)
    if not form.is_valid():
        return _again(request, pk, "请选择项目类别和项目级别。", 400)
    category = active_categories().filter(pk=form.cleaned_data["category"]).first()
    if category is None:
        return _again(request, pk, "项目类别不存在。", 400)
    try:
        deal = services.promote(
            actor=request.user,
            deal=deal,
            version=form.cleaned_data["version"],
            category=category,
            level=form.cleaned_data["level"],
        )
    except DomainError as exc:
        return _again(request, pk, exc.message, exc.status_code)
    messages.success(request, f"{deal.code}：已转入重大项目库。")
    return redirect("investment:detail", pk=pk)


@require_POST
def funds(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    deal = selectors.get_deal(request.user, pk)
    form = FundsForm(request.POST)
    if not form.is_valid():
        return _again(request, pk, "请填写月份和到位资金（万元，非负数）。", 400)
    d = form.cleaned_data
    try:
        period = parse_month(d["month"], field="month")
        services.report_funds(
            actor=request.user,
            deal=deal,
            month=dt.date(period.year, period.first_month, 1),
            amount=d["amount"],
            evidence=d["evidence"],
            note=d["note"],
        )
    except DomainError as exc:
        return _again(request, pk, exc.message, exc.status_code)
    messages.success(
        request,
        f"已报送 {d['month']} 到位资金 {numbers.format_decimal(d['amount'], 2)} 万元，"
        "待其他单位核实。",
    )
    return redirect("investment:detail", pk=pk)


@require_POST
def funds_verify(request: AuthedHttpRequest, pk: int, funding_pk: int) -> HttpResponse:
    selectors.get_deal(request.user, pk)
    row = selectors.funding_in_scope(request.user, funding_pk)
    if row.deal_id != pk:
        raise Http404
    form = VerifyForm(request.POST)
    if not form.is_valid():
        return _again(request, pk, "请求不完整，请刷新页面后重试。", 400)
    try:
        services.verify_funds(actor=request.user, funding=row, version=form.cleaned_data["version"])
    except DomainError as exc:
        return _again(request, pk, exc.message, exc.status_code)
    messages.success(request, f"已核实 {row.month:%Y年%m月} 到位资金。")
    return redirect("investment:detail", pk=pk)


@require_POST
def send(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    deal = selectors.get_deal(request.user, pk)
    form = SendForm(request.POST)
    if not form.is_valid():
        return _again(request, pk, "请选择问题类别。", 400)
    category = problem_categories().filter(pk=form.cleaned_data["category"]).first()
    if category is None:
        return _again(request, pk, "问题类别不存在。", 400)
    try:
        problem = services.send_to_ledger(
            actor=request.user, deal=deal, category=category, note=form.cleaned_data["note"]
        )
    except DomainError as exc:
        return _again(request, pk, exc.message, exc.status_code)
    messages.success(request, f"已转入问题台账：{problem.code}。")
    return redirect("investment:detail", pk=pk)


@require_POST
def send_task(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    deal = selectors.get_deal(request.user, pk)
    form = SendTaskForm(request.POST)
    if not form.is_valid():
        return _again(request, pk, "完成时限应为有效日期（年-月-日）。", 400)
    already = deal.supervision_task
    try:
        task = services.send_to_supervision(
            actor=request.user,
            deal=deal,
            deadline=form.cleaned_data["deadline"],
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        return _again(request, pk, exc.message, exc.status_code)
    if already is not None:
        messages.info(request, f"该项目已移交督查督办：{task.code}。")
    else:
        messages.success(request, f"已移交督查督办并交办：{task.code}。")
    return redirect("investment:detail", pk=pk)


def figures_page(request: AuthedHttpRequest) -> HttpResponse:
    """§5.3 metrics per county for a year, each with its numerator, denominator and variant."""
    today = timezone.localdate()
    raw = request.GET.get("year", "")
    try:
        year = check_year(int(raw)) if raw.isdigit() else today.year
    except DomainError:
        year = today.year
    counties = list(selectors.county_choices(request.user))
    assessed, weights = figures.county_assessment(request.user, year, counties)
    return render(
        request,
        "investment/figures.html",
        {
            "year": year,
            "assessed": assessed,
            "weights": weights,
            "heads": [(figures.LABELS[k], v) for k, v in figures.VARIANTS.items()],
            "years": list(range(today.year, today.year - 6, -1)),
        },
    )


def standards(request: AuthedHttpRequest) -> HttpResponse:
    return render(request, "investment/standards.html", {"standards": selectors.entry_standards()})


@require_http_methods(["GET", "POST"])
def batches(request: AuthedHttpRequest) -> HttpResponse:
    """三个一批: the periods with their list sizes, the conversion rates per county; a 督查员 adds
    a period."""
    error, status = "", 200
    if request.method == "POST":
        form = PeriodForm(request.POST)
        if form.is_valid():
            try:
                period = services.create_period(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                error, status = exc.message, exc.status_code
            else:
                messages.success(request, f"已新建{period}。")
                return redirect("investment:batch", pk=period.pk)
        else:
            error, status = "请填写期次（整数）和举办日期。", 400
    counties = list(selectors.county_choices(request.user))
    context = {
        "periods": selectors.periods_with_counts(),
        "conversions": figures.batch_conversions(request.user, counties),
        "can_create": request.user.has_role(Role.SUPERVISOR),
        "error": error,
    }
    return render(request, "investment/batches.html", context, status=status)


@require_http_methods(["GET", "POST"])
def batch(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """One period's three lists; a county adds its deals (by 项目编号) or generates 投产一批."""
    period = selectors.get_period(pk)
    error, status = "", 200
    if request.method == "POST":
        form = EntryForm(request.POST)
        if not form.is_valid():
            error, status = "请选择名单并填写项目编号。", 400
        else:
            d = form.cleaned_data
            try:
                if d["propose"]:
                    added = services.propose_production(actor=request.user, period=period)
                    messages.success(
                        request, f"已从上一期开工一批生成投产一批 {len(added)} 个项目。"
                    )
                else:
                    deal = selectors.visible_deals(request.user).filter(code=d["code"]).first()
                    if deal is None:
                        raise DomainError(f"项目编号“{d['code']}”不存在或不在您的数据范围内。")
                    services.add_to_list(
                        actor=request.user, period=period, list_kind=d["list_kind"], deal=deal
                    )
                    messages.success(request, f"已将 {deal.code} 列入本期名单。")
            except DomainError as exc:
                error, status = exc.message, exc.status_code
            else:
                return redirect("investment:batch", pk=pk)
    context = {
        "period": period,
        "lists": [
            (label, selectors.period_entries(request.user, period)[value])
            for value, label in ThreeBatchEntry.List.choices
        ],
        "list_choices": ThreeBatchEntry.List.choices,
        "can_add": request.user.has_role(*services.WORKERS),
        "error": error,
    }
    return render(request, "investment/batch.html", context, status=status)


def chains(request: AuthedHttpRequest) -> HttpResponse:
    """产业图谱: one chain as a graph (nodes coloured by coverage) with its node table."""
    choices = list(selectors.chain_choices(request.user))
    wanted = request.GET.get("chain", "")
    chain = next((c for c in choices if str(c.pk) == wanted), choices[0] if choices else None)
    context: dict[str, Any] = {"chains": choices, "chain": chain}
    if chain is not None:
        context.update(selectors.chain_graph(request.user, chain))
    return render(request, "investment/chains.html", context)
