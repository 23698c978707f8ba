"""Pages of enterprise service (万人助万企): the officer's 我联系的企业 with the visit and demand
forms, the department's inbox 企业诉求办理, the enterprise's own portal 我的诉求, a demand with
its history and the step forms, and the department league with visit coverage."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from dudao.core.exceptions import DomainError
from dudao.core.http import AuthedHttpRequest, add_domain_error
from dudao.core.listing import listing
from dudao.core.roles import Role
from dudao.enterprises import service_selectors as sel
from dudao.enterprises import services
from dudao.enterprises.forms import (
    AnswerForm,
    AssignForm,
    BindAccountForm,
    ConfirmForm,
    DemandForm,
    EndAssignmentForm,
    EscalateForm,
    ReasonForm,
    RerouteForm,
    SlaForm,
    VisitForm,
)
from dudao.enterprises.models import Demand, VisitPhoto
from dudao.problems import selectors as problem_selectors

DEMAND_SORTS: dict[str, Any] = {
    "overdue": ("-overdue", "due_on"),
    "due": ("due_on",),
    "raised": ("-raised_on",),
    "enterprise": ("enterprise__name",),
    "category": ("category",),
    "status": ("status",),
}
ENTERPRISE_SORTS: dict[str, Any] = {
    "name": ("name",),
    "open": ("-open_demands",),
}


def mine(request: AuthedHttpRequest) -> HttpResponse:
    """我联系的企业: the enterprises the user liaises with, each with its open demands."""
    today = timezone.localdate()
    lst = listing(
        request, sel.my_enterprises(request.user, today), ENTERPRISE_SORTS, default="name"
    )
    return render(
        request,
        "enterprises/mine.html",
        {
            "list": lst,
            "page": lst.page,
            "recent": sel.visits(request.user, today).filter(officer=request.user)[:10],
        },
    )


def _demand_input(data: dict[str, Any]) -> services.DemandInput:
    return services.DemandInput(
        category=data["category"],
        title=data["title"],
        content=data["content"],
        department=data["department"],
    )


def visit_new(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """登记走访 (with a demand raised during it), by the enterprise's officer."""
    today = timezone.localdate()
    enterprise = sel.officer_enterprise(request.user, pk, today)
    form = VisitForm(
        request.POST or None, request.FILES or None, departments=sel.department_choices()
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        demands = []
        if data["raise_demand"]:
            missing = [n for n in ("title", "content", "department") if not data.get(n)]
            for name in missing:
                form.add_error(name, "提出诉求时须填写此项。")
            if not missing:
                demands.append(_demand_input(data))
        upload = data.get("photos")
        photos = [services.PhotoInput(upload.read(), upload.name)] if upload else []
        if form.is_valid():
            try:
                visit = services.log_visit(
                    actor=request.user,
                    enterprise=enterprise,
                    visited_on=data["visited_on"],
                    people_met=data["people_met"],
                    notes=data["notes"],
                    photos=photos,
                    demands=demands,
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                raised = visit.demands.count()
                messages.success(
                    request, "已登记走访" + (f"，提出诉求{raised}项。" if raised else "。")
                )
                return redirect("enterprises:mine")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "enterprises/visit_form.html", {"form": form, "e": enterprise}, status=status
    )


def demand_new(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The officer raises a demand for an enterprise (outside a visit)."""
    today = timezone.localdate()
    enterprise = sel.officer_enterprise(request.user, pk, today)
    form = DemandForm(request.POST or None, departments=sel.department_choices())
    if request.method == "POST" and form.is_valid():
        try:
            demand = services.raise_demand(
                actor=request.user, enterprise=enterprise, data=_demand_input(form.cleaned_data)
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已提出诉求 {demand.code}，{demand.due_on:%Y-%m-%d}前答复。")
            return redirect("enterprises:demand_detail", pk=demand.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "enterprises/demand_form.html", {"form": form, "e": enterprise}, status=status
    )


def inbox(request: AuthedHttpRequest) -> HttpResponse:
    """企业诉求办理: the demands routed to the user's unit, overdue first."""
    today = timezone.localdate()
    status = request.GET.get("status", "open")
    rows = sel.inbox(request.user, today, status)
    lst = listing(request, rows, DEMAND_SORTS, default="overdue", per_page=20)
    return render(
        request,
        "enterprises/inbox.html",
        {
            "list": lst,
            "page": lst.page,
            "status": status,
            "statuses": Demand.Status.choices,
            "today": today,
        },
    )


def portal(request: AuthedHttpRequest) -> HttpResponse:
    """我的诉求: the enterprise's own demands and the form to raise one."""
    enterprise = sel.bound_enterprise(request.user)
    today = timezone.localdate()
    form = DemandForm(request.POST or None, departments=sel.department_choices())
    if request.method == "POST" and form.is_valid():
        try:
            demand = services.raise_demand(
                actor=request.user, enterprise=enterprise, data=_demand_input(form.cleaned_data)
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已提交诉求 {demand.code}，{demand.due_on:%Y-%m-%d}前答复。")
            return redirect("enterprises:portal")
    rows = sel.overdue_first(sel.demands(request.user, today), today).select_related("department")
    lst = listing(request, rows, DEMAND_SORTS, default="raised", per_page=20)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "enterprises/portal.html",
        {"e": enterprise, "form": form, "list": lst, "page": lst.page, "today": today},
        status=status,
    )


def _step(request: AuthedHttpRequest, demand: Demand) -> str:
    """Run the step the POST names; returns the success message (DomainError otherwise)."""
    action = request.POST.get("action", "")
    version_text = request.POST.get("version", "")
    version = int(version_text) if version_text.isdigit() and len(version_text) < 10 else None
    user = request.user
    if action == "accept":
        services.accept_demand(actor=user, demand=demand, version=version)
        return "已受理。"
    if action == "answer":
        form: Any = AnswerForm(request.POST)
        if form.is_valid():
            services.answer_demand(
                actor=user, demand=demand, answer=form.cleaned_data["answer"], version=version
            )
            return "已答复，待企业确认。"
    elif action in {"return", "reopen"}:
        form = ReasonForm(request.POST)
        if form.is_valid():
            step = services.return_demand if action == "return" else services.reopen_demand
            step(actor=user, demand=demand, reason=form.cleaned_data["reason"], version=version)
            return "已退回。" if action == "return" else "已要求重新办理。"
    elif action == "confirm":
        form = ConfirmForm(request.POST)
        if form.is_valid():
            services.confirm_demand(
                actor=user,
                demand=demand,
                satisfaction=form.cleaned_data["satisfaction"],
                comment=form.cleaned_data["comment"],
                version=version,
            )
            return "已确认办结，感谢评价。"
    elif action == "reroute":
        form = RerouteForm(request.POST, departments=sel.department_choices())
        if form.is_valid():
            services.reroute_demand(
                actor=user,
                demand=demand,
                department=form.cleaned_data["department"],
                note=form.cleaned_data["note"],
                version=version,
            )
            return "已改派。"
    elif action == "escalate":
        form = EscalateForm(request.POST, categories=_categories())
        if form.is_valid():
            problem = services.escalate_demand(
                actor=user,
                demand=demand,
                category_id=form.cleaned_data["category"],
                note=form.cleaned_data["note"],
                version=version,
            )
            return f"已转入问题台账 {problem.code}。"
    else:
        raise DomainError("未知的操作。")
    errors = [str(e) for errs in form.errors.values() for e in errs]
    raise DomainError("；".join(errors) or "请检查填写内容。")


def _categories() -> list[tuple[int, str]]:
    return [(c.pk, c.name) for c in problem_selectors.categories()]


def demand_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """A demand with its history and the forms of the steps the user may take."""
    today = timezone.localdate()
    demand = sel.get_demand(request.user, pk, today)
    if request.method == "POST":
        try:
            messages.success(request, _step(request, demand))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("enterprises:demand_detail", pk=demand.pk)
    user = request.user
    enterprise_side = user.has_role(Role.ENTERPRISE) or services.is_officer_of(
        user, demand.enterprise_id
    )
    department = services.is_department_staff(user, demand)
    supervisor = user.has_role(Role.SUPERVISOR) and services.in_scope(user, demand.enterprise_id)
    return render(
        request,
        "enterprises/demand_detail.html",
        {
            "d": demand,
            "events": sel.history(demand),
            "overdue": demand.is_overdue(today),
            "can_handle": department and demand.is_open,
            "can_accept": department and demand.status == Demand.Status.PENDING,
            "can_confirm": enterprise_side and demand.status == Demand.Status.ANSWERED,
            "can_reopen": enterprise_side
            and demand.status in (Demand.Status.ANSWERED, Demand.Status.CLOSED),
            "can_reroute": (supervisor or services.is_officer_of(user, demand.enterprise_id))
            and demand.status
            in (Demand.Status.PENDING, Demand.Status.IN_PROGRESS, Demand.Status.RETURNED),
            "can_escalate": supervisor
            and demand.problem_id is None
            and demand.status != Demand.Status.CLOSED,
            "on_behalf": enterprise_side and not user.has_role(Role.ENTERPRISE),
            "answer_form": AnswerForm(),
            "reason_form": ReasonForm(),
            "confirm_form": ConfirmForm(),
            "reroute_form": RerouteForm(departments=sel.department_choices()),
            "escalate_form": EscalateForm(categories=_categories()),
        },
    )


def league(request: AuthedHttpRequest) -> HttpResponse:
    """部门办理排行 of a year and visit coverage per officer and unit of a quarter."""
    today = timezone.localdate()
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else today.year
    quarter_text = request.GET.get("quarter", "")
    quarter = (
        int(quarter_text)
        if quarter_text in {"1", "2", "3", "4"}
        else ((today.month - 1) // 3 + 1 if year == today.year else 4)
    )
    rows = sel.league(request.user, dt.date(year, 1, 1), dt.date(year, 12, 31))
    lst = listing(
        request,
        rows,
        {
            "received": lambda r: -r.received,
            "on_time": lambda r: -(r.on_time_rate or -1),
            "closed": lambda r: -(r.closed_rate or -1),
            "satisfaction": lambda r: -(r.satisfaction or -1),
            "reopen": lambda r: r.reopen_rate if r.reopen_rate is not None else 999,
            "department": lambda r: r.department,
        },
        default="received",
    )
    officers = sel.coverage(request.user, year, quarter)
    return render(
        request,
        "enterprises/league.html",
        {
            "list": lst,
            "page": lst.page,
            "year": year,
            "quarter": quarter,
            "years": list(range(today.year, today.year - 4, -1)),
            "officers": officers,
            "units": sel.unit_coverage(officers),
        },
    )


def visit_photo(request: AuthedHttpRequest, pk: int) -> FileResponse:
    """A visit photo, for users who may see the visit."""
    photo = VisitPhoto.objects.filter(pk=pk).select_related("visit").first()
    if photo is None:
        raise Http404("照片不存在。")
    sel.get_visit(request.user, photo.visit_id, timezone.localdate())
    response = FileResponse(default_storage.open(photo.file.name, "rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=300"
    return response


def sla_rules(request: AuthedHttpRequest) -> HttpResponse:
    """诉求办理时限: the workdays of each category (督查员 edits; audited)."""
    if request.method == "POST":
        form = SlaForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.save_sla_rule(
                    actor=request.user,
                    category=data["category"],
                    workdays=data["workdays"],
                    source_doc=data["source_doc"],
                    version=data["version"],
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, "办理时限已保存，此后交办的诉求按新时限计算。")
        else:
            messages.error(request, "；".join(str(e) for es in form.errors.values() for e in es))
        return redirect("enterprises:sla")
    return render(
        request,
        "enterprises/sla.html",
        {"rules": sel.sla_rules(), "can_edit": request.user.has_role(Role.SUPERVISOR)},
    )


def assign(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """安排联企干部 for an enterprise in scope (督查员)."""
    from dudao.enterprises import selectors

    enterprise = selectors.get_enterprise(request.user, pk)
    form = AssignForm(request.POST)
    if form.is_valid():
        officer = sel.user_by_username(form.cleaned_data["officer"])
        try:
            if officer is None:
                raise DomainError("没有这个用户名的账户。", field="officer")
            services.assign_officer(
                actor=request.user,
                enterprise=enterprise,
                officer=officer,
                valid_from=form.cleaned_data["valid_from"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已安排{officer.full_name}为联企干部。")
    else:
        messages.error(request, "；".join(str(e) for es in form.errors.values() for e in es))
    return redirect("enterprises:detail", pk=enterprise.pk)


def _form_errors(form: Any) -> str:
    return "；".join(str(e) for es in form.errors.values() for e in es)


def end_liaison(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """解除联企干部 of an enterprise in scope (督查员): the assignment ends on the given day."""
    from dudao.enterprises import selectors

    enterprise = selectors.get_enterprise(request.user, pk)
    form = EndAssignmentForm(request.POST)
    if form.is_valid():
        assignment = enterprise.liaisons.filter(pk=form.cleaned_data["assignment"]).first()
        try:
            if assignment is None:
                raise DomainError("联企记录不存在。", field="assignment")
            services.end_assignment(
                actor=request.user,
                assignment=assignment,
                valid_to=form.cleaned_data["valid_to"],
                version=form.cleaned_data["version"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已解除{assignment.officer.full_name}的联企安排。")
    else:
        messages.error(request, _form_errors(form))
    return redirect("enterprises:detail", pk=enterprise.pk)


def bind_account(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """绑定企业账户 to an enterprise in scope (督查员)."""
    from dudao.enterprises import selectors

    enterprise = selectors.get_enterprise(request.user, pk)
    form = BindAccountForm(request.POST)
    if form.is_valid():
        account = sel.enterprise_account_by_username(form.cleaned_data["username"])
        try:
            if account is None:
                raise DomainError("没有这个用户名的企业账户（须为启用的、只有“企业”角色的账户）。")
            services.bind_enterprise_account(
                actor=request.user, user=account, enterprise=enterprise
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已将账户{account.username}绑定到本企业。")
    else:
        messages.error(request, _form_errors(form))
    return redirect("enterprises:detail", pk=enterprise.pk)
