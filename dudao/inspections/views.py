"""Pages of 观摩督导: tours, route and schedule, the judges' phone page, the organiser's live
view, results, summary and findings. Views are thin: parse, call a selector or a service."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from dudao.accounts.roles import Role
from dudao.core.exceptions import DomainError
from dudao.core.http import AuthedHttpRequest, add_domain_error
from dudao.core.xlsx import Column, Sheet, workbook_bytes, xlsx_response
from dudao.inspections import ballots, completeness, selectors, services
from dudao.inspections.forms import (
    FindingForm,
    GroupForm,
    JudgeForm,
    SiteForm,
    TourForm,
    UnitForm,
)
from dudao.inspections.models import ProvincialResult, ScoreCard, ScoreSheet, Site, Tour
from dudao.problems import selectors as problem_selectors


def _error(request: AuthedHttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)


def tour_list(request: AuthedHttpRequest) -> HttpResponse:
    """Tours in scope, newest first; judges get a link to their scoring page."""
    return render(
        request,
        "inspections/list.html",
        {
            "tours": selectors.list_tours(request.user),
            "can_create": request.user.has_role(Role.SUPERVISOR),
            "is_judge": request.user.has_role(Role.JUDGE),
        },
    )


@require_http_methods(["GET", "POST"])
def tour_create(request: AuthedHttpRequest) -> HttpResponse:
    form = TourForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        groups = [g for g in data.pop("unit_groups").replace("，", ",").split(",") if g.strip()]
        try:
            tour = services.create_tour(actor=request.user, unit_groups=groups, **data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已创建观摩活动“{tour.name}”。")
            return redirect("inspections:detail", pk=tour.pk)
    return render(request, "inspections/form.html", {"form": form, "title": "新建观摩活动"})


def tour_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The tour: rules, groups with their counties, the route, judges; planning forms."""
    tour = selectors.get_tour(request.user, pk)
    organiser = selectors.is_organiser(request.user, tour)
    context: dict[str, Any] = {
        "tour": tour,
        "organiser": organiser,
        "seat": selectors.judge_seat(request.user, tour),
        **selectors.tour_plan(tour),
        "sheets": tour.sheets.select_related("category", "sheet"),
        "breadcrumbs": [("观摩督导", reverse("inspections:list")), (tour.name, None)],
    }
    if organiser and tour.status == Tour.Status.PLANNING:
        context.update(
            group_form=GroupForm(),
            unit_form=UnitForm(tour=tour),
            site_form=SiteForm(tour=tour, actor=request.user),
        )
    if organiser and not tour.is_locked:
        context["judge_form"] = JudgeForm(tour=tour)
    if organiser and tour.status == Tour.Status.CLOSED:
        context["missing"] = completeness.missing_sheets(tour)
        context["missing_count"] = completeness.missing_count(context["missing"])
    return render(request, "inspections/detail.html", context)


PLAN_FORMS = {"group": GroupForm, "unit": UnitForm, "site": SiteForm, "judge": JudgeForm}


@require_POST
def tour_plan_add(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Add a group, unit, site or judge (the form named by `what`); errors as messages."""
    tour = selectors.get_tour(request.user, pk)
    what = request.POST.get("what", "")
    form_class = PLAN_FORMS.get(what)
    if form_class is None:
        messages.error(request, "请选择要添加的内容。")
        return redirect("inspections:detail", pk=tour.pk)
    form: Any
    if form_class is GroupForm:
        form = GroupForm(request.POST)
    elif form_class is SiteForm:
        form = SiteForm(request.POST, tour=tour, actor=request.user)
    else:
        form = form_class(request.POST, tour=tour)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}：{errors[0]}" if label else str(errors[0]))
        return redirect("inspections:detail", pk=tour.pk)
    try:
        form.save(actor=request.user, tour=tour)
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, "已添加。")
    return redirect("inspections:detail", pk=tour.pk)


@require_POST
def tour_transition(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """open / close / reopen / publish."""
    tour = selectors.get_tour(request.user, pk)
    action = request.POST.get("action", "")
    try:
        if action == "publish":
            version = request.POST.get("version", "")
            services.publish_tour(
                actor=request.user,
                tour=tour,
                version=int(version) if version.isdigit() else None,
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, "观摩结果已发布并锁定。")
            return redirect("inspections:results", pk=tour.pk)
        services.transition_tour(actor=request.user, tour=tour, action=action)
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, "状态已更新。")
    return redirect("inspections:detail", pk=tour.pk)


def tour_schedule(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The printable schedule: per group, per day, the ordered stops with time slots."""
    tour = selectors.get_tour(request.user, pk)
    return render(request, "inspections/schedule.html", {"tour": tour, **selectors.tour_plan(tour)})


def tour_progress(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The organiser's live view of who has scored what (the table polls itself)."""
    tour = selectors.get_tour(request.user, pk)
    context = {"tour": tour, "progress": selectors.progress(tour)}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "inspections/_progress.html", context)
    return render(request, "inspections/progress.html", context)


def tour_results(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Rankings per unit group and how every score was made."""
    tour = selectors.get_tour(request.user, pk)
    return render(
        request,
        "inspections/results.html",
        {
            "tour": tour,
            "report": selectors.results(request.user, tour),
            "organiser": selectors.is_organiser(request.user, tour),
        },
    )


def tour_summary(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    tour = selectors.get_tour(request.user, pk)
    return render(
        request,
        "inspections/summary.html",
        {
            "tour": tour,
            "summary": selectors.summary(tour),
            "report": selectors.results(request.user, tour),
        },
    )


def tour_export(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Excel: the summary by county, the ranking table, the route."""
    tour = selectors.get_tour(request.user, pk)
    summary = selectors.summary(tour)
    report = selectors.results(request.user, tour)
    plan = selectors.tour_plan(tour)
    county_rows = [
        [r["county"].display_name, r["count"], r["in_park"], r["investment"]]
        for r in summary.by_county
    ]
    state = "已发布" if tour.status == Tour.Status.PUBLISHED else "未发布，仅供参考"
    county_rows.append(["合计", summary.project_sites, summary.in_park, summary.investment_total])
    ranking_rows = []
    if report is not None:
        for group, rows in report.groups:
            ranking_rows += [
                [group.name, row.rank, row.unit.county.display_name, row.display] for row in rows
            ]
    route_rows = [
        [
            s.visit_date,
            f"{s.slot_start:%H:%M}–{s.slot_end:%H:%M}",
            s.county.display_name,
            s.title,
            s.category.name if s.category else "县级汇报",
            "是" if s.in_park else "否",
            s.investment,
            f"{s.presenter_title}{s.presenter_name}",
        ]
        for s in plan["sites"]
    ]
    data = workbook_bytes(
        [
            Sheet(
                "分县汇总",
                [
                    Column("县（市、区）", 18),
                    Column("观摩项目数", 12, "int"),
                    Column("其中位于园区", 12, "int"),
                    Column("总投资（万元）", 16, "decimal2"),
                ],
                county_rows,
                title=summary.sentence,
            ),
            Sheet(
                "排名",
                [
                    Column("排名分组", 12),
                    Column("名次", 8, "int"),
                    Column("单位", 18),
                    Column("得分", 10, "decimal2"),
                ],
                ranking_rows,
                title=f"{tour.name}（{state}）",
            ),
            Sheet(
                "观摩路线",
                [
                    Column("日期", 12, "date"),
                    Column("时段", 14),
                    Column("县（市、区）", 14),
                    Column("点位", 36),
                    Column("类型", 10),
                    Column("位于园区", 8),
                    Column("总投资（万元）", 16, "decimal2"),
                    Column("讲解人", 16),
                ],
                route_rows,
            ),
        ]
    )
    return xlsx_response(f"{tour.name}-汇总.xlsx", data)


# --- Findings --------------------------------------------------------------------------------


def tour_findings(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    tour = selectors.get_tour(request.user, pk)
    return render(
        request,
        "inspections/findings.html",
        {
            "tour": tour,
            "findings": selectors.tour_findings(request.user, tour),
            "organiser": selectors.is_organiser(request.user, tour),
            "categories": problem_selectors.categories(),
        },
    )


@require_POST
def finding_decide(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The organiser confirms (→ problem ledger) or dismisses a proposed finding."""
    finding = selectors.get_finding(request.user, pk)
    decision = request.POST.get("decision", "")
    try:
        if decision == "confirm":
            category = (
                problem_selectors.categories().filter(pk=request.POST.get("category") or 0).first()
            )
            deadline = _date(request.POST.get("deadline", ""))
            services.confirm_finding(
                actor=request.user,
                finding=finding,
                category=category,
                deadline=deadline,
                title=request.POST.get("title", ""),
            )
            messages.success(request, "已交办，问题已进入问题台账。")
        elif decision == "dismiss":
            services.dismiss_finding(
                actor=request.user, finding=finding, reason=request.POST.get("reason", "")
            )
            messages.success(request, "已标记为不予交办。")
        else:
            messages.error(request, "请选择交办或不予交办。")
    except DomainError as exc:
        _error(request, exc)
    return redirect("inspections:findings", pk=finding.tour_id)


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


# --- Judges ----------------------------------------------------------------------------------


def judge_home(request: AuthedHttpRequest) -> HttpResponse:
    """The judge's phone page: per tour, the sites of the group in route order."""
    seats = selectors.judge_tours(request.user)
    current = selectors.judge_agenda(request.user, seats=seats)  # the tour scored today first
    sites = selectors.judge_sites_by_seat(current)
    tours = [{"seat": seat, "sites": sites[seat.pk]} for seat in current]
    past = [seat for seat in seats if seat.tour.status == Tour.Status.PUBLISHED]
    return render(request, "inspections/judge_home.html", {"tours": tours, "past": past})


@require_http_methods(["GET", "POST"])
def score_site(request: AuthedHttpRequest, site_pk: int) -> HttpResponse:
    """The scoring sheet of one site on a phone. Script saves through the API with retries;
    without script the form posts here."""
    site, judge = selectors.site_for_judge(request.user, site_pk)
    if request.method == "POST":
        scores = {
            key.removeprefix("c-"): request.POST.get(key, "")
            for key in request.POST
            if key.startswith("c-")
        }
        try:
            services.save_card(
                actor=request.user,
                site=site,
                scores=scores,
                comment=request.POST.get("comment"),
                key=request.POST.get("key", ""),
            )
            if request.POST.get("submit"):
                services.submit_card(actor=request.user, site=site)
                messages.success(request, "评分已提交。")
                return redirect("inspections:judge_home")
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, "评分已保存。")
        return redirect("inspections:score", site_pk=site.pk)
    conflict = judge.county_id == site.county_id
    return render(
        request,
        "inspections/score.html",
        {
            "site": site,
            "judge": judge,
            "conflict": conflict,
            "open": site.tour.status == Tour.Status.SCORING,
            "finding_form": FindingForm(),
            **selectors.card_state(judge, site),
        },
    )


@require_POST
def score_photo(request: AuthedHttpRequest, site_pk: int) -> HttpResponse:
    site, _judge = selectors.site_for_judge(request.user, site_pk)
    upload = request.FILES.get("photo")
    if upload is None:
        messages.error(request, "请选择照片。")
    else:
        try:
            services.attach_photo(
                actor=request.user, site=site, data=upload.read(), name=upload.name or "photo.jpg"
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, "照片已上传。")
    return redirect("inspections:score", site_pk=site.pk)


@require_POST
def site_finding(request: AuthedHttpRequest, site_pk: int) -> HttpResponse:
    """A judge of the tour or its organiser records a finding at a site (→ problem ledger)."""
    if request.user.has_role(Role.SUPERVISOR):
        site = selectors.get_site(request.user, site_pk)
        back = redirect("inspections:findings", pk=site.tour_id)
    else:
        site, _judge = selectors.site_for_judge(request.user, site_pk)
        back = redirect("inspections:score", site_pk=site.pk)
    form = FindingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写问题。")
        return back
    try:
        finding = services.record_finding(actor=request.user, site=site, **form.cleaned_data)
    except DomainError as exc:
        _error(request, exc)
    else:
        code = finding.problem.code if finding.problem else ""
        messages.success(request, f"问题已交办，台账编号 {code}。")
    return back


def card_photo(request: AuthedHttpRequest, pk: int) -> FileResponse:
    """A card's photo, for the judge who took it and for users who may see the site."""
    card = (
        ScoreCard.objects.filter(pk=pk, site__in=Site.objects.visible_to(request.user))
        .select_related("judge")
        .first()
    )
    if card is None or not card.photo:
        raise Http404
    if card.judge.user_id != request.user.pk and not request.user.has_role(
        Role.SUPERVISOR, Role.LEADER, Role.REVIEWER
    ):
        raise Http404
    return FileResponse(card.photo.open("rb"), content_type="image/jpeg")


@require_http_methods(["GET", "POST"])
def tour_vote(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """A judge's rank-vote ballot (济宁 method), one ranking group at a time."""
    tour = selectors.get_tour(request.user, pk)
    seat = selectors.judge_seat(request.user, tour)
    if seat is None or tour.method != Tour.Method.RANK_VOTE:
        raise Http404
    if request.method == "POST":
        ranks: dict[int, int] = {}
        for key in request.POST:
            value = request.POST.get(key, "").strip()
            if key.startswith("u-") and key[2:].isdigit() and value.isdigit():
                ranks[int(key[2:])] = int(value)
        try:
            services.cast_votes(actor=request.user, tour=tour, ranks=ranks)
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, "选票已保存。")
        return redirect("inspections:vote", pk=tour.pk)
    mine = dict(seat.votes.values_list("unit_id", "rank"))
    groups = [
        {
            "group": b.group,
            "note": b.note,
            "units": [{"unit": u, "rank": mine.get(u.pk)} for u in b.units],
            "choices": range(1, len(b.units) + 1),
        }
        for b in ballots.ballots(
            tour.unit_groups.all(), tour.units.select_related("county"), seat.county_id
        )
    ]
    return render(
        request,
        "inspections/vote.html",
        {"tour": tour, "groups": groups, "open": tour.status == Tour.Status.SCORING},
    )


def provincial(request: AuthedHttpRequest) -> HttpResponse:
    """Our representatives' ranks in provincial tours, year by year."""
    return render(
        request,
        "inspections/provincial.html",
        {
            "rows": ProvincialResult.objects.all(),
            "can_import": request.user.has_role(Role.SUPERVISOR),
        },
    )


def sheets(request: AuthedHttpRequest) -> HttpResponse:
    """The score sheets (criteria, maximum points, guidance); 督查员 edit them."""
    return render(
        request,
        "inspections/sheets.html",
        {
            "sheets": ScoreSheet.objects.prefetch_related("criteria").order_by("kind", "code"),
            "can_edit": request.user.has_role(Role.SUPERVISOR),
        },
    )


@require_POST
def sheet_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Add or change a criterion (`criterion` empty → add), or copy the sheet (`copy_code`)."""
    sheet = get_object_or_404(ScoreSheet, pk=pk)
    post = request.POST
    try:
        if post.get("copy_code", "").strip():
            copy = services.copy_sheet(
                actor=request.user,
                sheet=sheet,
                code=post["copy_code"],
                name=post.get("copy_name", ""),
            )
            messages.success(request, f"已复制为“{copy.name}”。")
        else:
            criterion = sheet.criteria.filter(pk=post.get("criterion") or 0).first()
            services.save_criterion(
                actor=request.user,
                sheet=sheet,
                criterion=criterion,
                name=post.get("name", ""),
                max_points=_points(post.get("max_points", "")),
                guidance=post.get("guidance", ""),
            )
            messages.success(request, "评分项已保存。")
    except DomainError as exc:
        _error(request, exc)
    return redirect("inspections:sheets")


def _points(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise DomainError("满分应为数字。", field="max_points") from None
    if not value.is_finite() or value <= 0:
        raise DomainError("满分应为正数。", field="max_points")
    return value
