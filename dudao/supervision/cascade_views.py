"""The cascade page (一次交办多个单位): one form, many units, one transaction."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from dudao.accounts.roles import Role
from dudao.core.exceptions import DomainError
from dudao.core.http import AuthedHttpRequest
from dudao.orgs.models import Organisation
from dudao.supervision import selectors, services
from dudao.supervision.forms import CascadeForm, parse_unit_row, unit_rows
from dudao.supervision.models import SupervisionTask
from dudao.supervision.views import _int, _render


def _organisations(request: AuthedHttpRequest, parent: SupervisionTask | None) -> Any:
    """Units the user may hand the task to: the data scope; a county splits only downwards."""
    user = request.user
    qs = Organisation.objects.visible_to(user).filter(is_active=True).order_by("path")
    if parent is not None and parent.lead_org is not None:
        qs = qs.exclude(pk=parent.lead_org.pk)
        if not user.has_role(Role.SUPERVISOR):
            qs = qs.filter(path__startswith=parent.lead_org.path)
    return qs


def _inherited(parent: SupervisionTask) -> dict[str, Any]:
    """What a split inherits from its parent (urgency included: it never resets silently)."""
    lines = [
        f"{m.due:%Y-%m-%d}｜{m.description}｜{m.expected_progress.normalize():f}"
        for m in parent.milestones.all()
    ]
    return {
        "title": parent.title,
        "category": parent.category_id,
        "content": parent.content,
        "goal": parent.goal,
        "urgency": parent.urgency,
        "feedback_cycle": parent.feedback_cycle,
        "lead_leader": parent.lead_leader,
        "deadline": parent.deadline,
        "milestones": "\n".join(lines),
    }


def task_cascade(request: AuthedHttpRequest) -> HttpResponse:
    """New task for several units at once; `?parent=` splits an existing task among them."""
    user = request.user
    parent = None
    if _int(request.GET.get("parent")):
        parent = selectors.get_task(user, int(request.GET["parent"]))
    initial: dict[str, Any] = _inherited(parent) if parent is not None else {}
    if _int(request.GET.get("source")):
        initial["source"] = request.GET["source"]
    form = CascadeForm(
        request.POST or None,
        sources=selectors.sources(user).order_by("-source_date"),
        organisations=_organisations(request, parent),
        parent=parent,
        initial=initial,
    )
    rows = []
    if request.method == "POST":
        # Ids as posted (anything but a plain number is ignored here; the form refuses it).
        posted = [v for v in request.POST.getlist("units") if v.isascii() and v.isdigit()]
        order = {int(v): i for i, v in enumerate(posted) if len(v) <= 18}
        units = form.fields["units"].queryset  # type: ignore[attr-defined]
        chosen = sorted(units.filter(pk__in=order), key=lambda o: order[o.pk])
        rows = unit_rows(request.POST, chosen)
        if form.is_valid():
            done = _cascade(request, form, rows, parent)
            if done is not None:
                return done
    return _render(
        request,
        "supervision/task_cascade.html",
        {
            "form": form,
            "parent": parent,
            "rows": rows,
            "urgencies": SupervisionTask.Urgency.choices,
            "title": "分解给多个单位" if parent else "一次交办多个单位",
        },
    )


def _cascade(
    request: AuthedHttpRequest,
    form: CascadeForm,
    rows: list[Any],
    parent: SupervisionTask | None,
) -> HttpResponse | None:
    data = dict(form.cleaned_data)
    data.pop("units")
    source = data.pop("source", None)
    title = data.pop("title")
    milestones = data.pop("milestones")
    try:
        parsed = [parse_unit_row(r) for r in rows]
    except forms.ValidationError as exc:
        form.add_error(None, exc.messages[0])
        return None
    units = [
        services.CascadeUnit(
            lead_org=row.org,
            weight=p["weight"] if parent is not None else None,
            deadline=p["deadline"],
            milestones=p["milestones"],
            overrides=p["overrides"],
        )
        for row, p in zip(rows, parsed, strict=True)
    ]
    issue = "draft" not in request.POST
    try:
        tasks = services.cascade_task(
            actor=request.user,
            title=title,
            units=units,
            source=source,
            parent=parent,
            milestones=milestones,
            issue=issue,
            **data,
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return None
    verb = "交办" if issue else "保存草稿"
    messages.success(
        request,
        f"已{verb} {len(tasks)} 个单位："
        + "、".join(f"{t.lead_org.name if t.lead_org else ''}（{t.code}）" for t in tasks)
        + "。",
    )
    if parent is not None:
        return redirect("supervision:task_detail", pk=parent.pk)
    return redirect(f"{reverse('supervision:task_list')}?source={tasks[0].source_id}")
