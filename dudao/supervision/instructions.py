"""Leaders' 批示 on other modules' objects: the targets supervision resolves itself (projects,
problems — below it — and its own tasks), the 领导批示 panel and the page that writes one.

Bulletins sit above supervision and register their own target (`dudao.bulletins.apps`). Every
registered target gets the panel on its page through `dudao.core.panels`; the lower module's
template only has ``{% object_panels obj %}``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse

from dudao.core.exceptions import DomainError
from dudao.core.forms import CatalogueErrorsMixin
from dudao.core.http import AuthedHttpRequest, add_domain_error
from dudao.core.panels import register_object_panel
from dudao.core.unitpicker import UnitChoiceField
from dudao.orgs.models import Organisation
from dudao.problems import selectors as problem_selectors
from dudao.projects import selectors as project_selectors
from dudao.supervision import selectors, services
from dudao.supervision.models import SupervisionTask
from dudao.supervision.policy import POLICY

if TYPE_CHECKING:
    from dudao.accounts.models import User

WRITE = "supervision:instruction_create"


class InstructionForm(CatalogueErrorsMixin, forms.Form):
    text = forms.CharField(
        label="批示内容",
        max_length=services.instructions.MAX_TEXT,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "如：请抓紧协调解决用地问题，按期开工。"}
        ),
    )
    lead_org = UnitChoiceField(label="落实单位", queryset=Organisation.objects.none())
    urgency = forms.ChoiceField(
        label="紧急程度",
        choices=[
            (value, f"{label}（{services.DEADLINE_DAYS[value]} 日内办结）")
            for value, label in SupervisionTask.Urgency.choices
        ],
        initial=SupervisionTask.Urgency.NORMAL,
        required=False,
    )

    def clean_urgency(self) -> str:
        return str(self.cleaned_data.get("urgency") or SupervisionTask.Urgency.NORMAL)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_org"].queryset = organisations  # type: ignore[attr-defined]


def _units(user: Any) -> Any:
    return Organisation.objects.visible_to(user).filter(is_active=True).order_by("path")


# --- the targets supervision resolves itself --------------------------------------------------


def _project(obj: Any) -> services.InstructionTarget:
    return services.InstructionTarget(
        kind="project",
        kind_label="重大项目",
        obj=obj,
        title=obj.name,
        unit=obj.county,
        url=reverse("projects:detail", kwargs={"pk": obj.pk}),
    )


def _problem(obj: Any) -> services.InstructionTarget:
    return services.InstructionTarget(
        kind="problem",
        kind_label="问题",
        obj=obj,
        title=obj.title,
        unit=obj.responsible_org,
        url=reverse("problems:detail", kwargs={"pk": obj.pk}),
    )


def _task(obj: Any) -> services.InstructionTarget:
    return services.InstructionTarget(
        kind="task",
        kind_label="督查任务",
        obj=obj,
        title=obj.title,
        unit=obj.lead_org,
        url=reverse("supervision:task_detail", kwargs={"pk": obj.pk}),
    )


def register_targets() -> None:
    """Called from SupervisionConfig.ready()."""
    services.on_target_registered(_add_panel)
    services.register_instruction_target(
        "project",
        label="重大项目",
        model_label="projects.project",
        fetch=project_selectors.get_project,
        describe=_project,
    )
    services.register_instruction_target(
        "problem",
        label="问题",
        model_label="problems.problem",
        fetch=problem_selectors.get_problem,
        describe=_problem,
    )
    services.register_instruction_target(
        "task",
        label="督查任务",
        model_label="supervision.supervisiontask",
        fetch=selectors.get_task,
        describe=_task,
    )


# --- the panel and the page ----------------------------------------------------------------------


def _add_panel(target_kind: services.TargetKind) -> None:
    def render(request: HttpRequest, obj: Any) -> str:
        return _panel(request, target_kind.describe(obj))

    register_object_panel(target_kind.model_label, "supervision.instructions", render)


def _panel(
    request: HttpRequest, target: services.InstructionTarget, form: InstructionForm | None = None
) -> str:
    user = cast("User", request.user)  # the page showing the panel required a login
    can_write = POLICY[WRITE]["POST"].allows(user)
    items = selectors.instructions_on(user, target.ref)
    if not items and not can_write:
        return ""
    if can_write and form is None:
        form = InstructionForm(
            organisations=_units(user),
            initial={"lead_org": target.unit.pk if target.unit else None},
            auto_id=f"pishi_{target.kind}_%s",
        )
    return render_to_string(
        "supervision/_instructions.html",
        {
            "items": items,
            "target": target,
            "form": form if can_write else None,
            "action": reverse(WRITE, kwargs={"kind": target.kind, "pk": target.obj.pk}),
        },
        request=request,
    )


def instruction_create(request: AuthedHttpRequest, kind: str, pk: int) -> HttpResponse:
    """Write a 批示 on an object (GET shows the object's panel with the form alone)."""
    user = request.user
    target = services.instruction_target(user, kind, pk)
    form = InstructionForm(request.POST or None, organisations=_units(user))
    if request.method == "POST" and form.is_valid():
        try:
            task = services.write_instruction(
                actor=user,
                target=target,
                text=form.cleaned_data["text"],
                lead_org=form.cleaned_data["lead_org"],
                urgency=form.cleaned_data["urgency"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                f"批示已交办{task.lead_org.name if task.lead_org else ''}办理（{task.code}），"
                f"完成时限 {task.deadline:%Y-%m-%d}。",
            )
            return redirect(target.url)
    from dudao.supervision.views import _render

    return _render(
        request,
        "supervision/instruction_form.html",
        {"target": target, "panel": _panel(request, target, form)},
    )
