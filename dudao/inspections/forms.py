"""Forms of 观摩督导 (input parsing only; the rules live in dudao.inspections.services)."""

from __future__ import annotations

from typing import Any, TypeAlias, cast

from django import forms
from django.urls import reverse

from dudao.accounts.models import User
from dudao.accounts.roles import Role
from dudao.core.forms import CatalogueErrorsMixin
from dudao.inspections import services
from dudao.inspections.models import Tour
from dudao.orgs.models import Organisation
from dudao.problems import selectors as problem_selectors
from dudao.projects.selectors import visible_projects

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")

# What a choice field is once its queryset is set per request (django-stubs types
# `fields[name]` as a plain Field).
_Choice: TypeAlias = "forms.ModelChoiceField[Any]"


class TourForm(CatalogueErrorsMixin, forms.Form):
    name = forms.CharField(label="活动名称", max_length=80)
    period = forms.CharField(label="期别", max_length=30, help_text="如 2026年上半年")
    level = forms.ChoiceField(label="级别", choices=Tour.Level.choices, initial=Tour.Level.CITY)
    start_date = forms.DateField(label="开始日期", widget=DATE)
    end_date = forms.DateField(label="结束日期", widget=DATE)
    method = forms.ChoiceField(label="评分方法", choices=Tour.Method.choices)
    trim_k = forms.IntegerField(label="去掉最高、最低分各几个", initial=1, min_value=0, max_value=5)
    min_judges_for_trim = forms.IntegerField(
        label="去分所需最少评委数", initial=5, min_value=3, max_value=99
    )
    county_weight = forms.DecimalField(
        label="县级综合评分权重", initial=0, min_value=0, max_value=1, decimal_places=3
    )
    finding_threshold = forms.DecimalField(
        label="问题提示线（得分率）", initial="0.6", min_value=0, max_value=1, decimal_places=3
    )
    min_investment = forms.DecimalField(
        label="入选项目最低总投资（万元）", required=False, min_value=0, decimal_places=2
    )
    unit_groups = forms.CharField(
        label="排名分组", initial="县(市)组,城区组", help_text="逗号分隔，各组分别排名"
    )


class TourEditForm(TourForm):
    """The tour's settings before scoring starts (ranking groups are fixed at creation)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    field_order = [*TourForm.base_fields]

    def __init__(self, *args: Any, tour: Tour, **kwargs: Any) -> None:
        initial = {
            name: getattr(tour, name) for name in TourForm.base_fields if name != "unit_groups"
        }
        kwargs["initial"] = {**initial, "version": tour.version}
        super().__init__(*args, **kwargs)
        del self.fields["unit_groups"]


class CancelForm(CatalogueErrorsMixin, forms.Form):
    reason = forms.CharField(label="取消原因", max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class GroupForm(CatalogueErrorsMixin, forms.Form):
    name = forms.CharField(label="组名", max_length=20)
    leader_name = forms.CharField(label="带队领导", max_length=20)
    leader_title = forms.CharField(label="职务", max_length=30)
    members = forms.CharField(
        label="成员", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def save(self, *, actor: User, tour: Tour) -> Any:
        return services.add_group(actor=actor, tour=tour, **self.cleaned_data)


class UnitForm(CatalogueErrorsMixin, forms.Form):
    county = forms.ModelChoiceField(label="县（市、区）", queryset=Organisation.objects.none())
    unit_group = forms.ModelChoiceField(label="排名分组", queryset=Organisation.objects.none())
    visit_group = forms.ModelChoiceField(
        label="观摩组", queryset=Organisation.objects.none(), required=False
    )
    visit_order = forms.IntegerField(label="观摩顺序", initial=1, min_value=1, max_value=99)

    def __init__(self, *args: Any, tour: Tour, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(_Choice, self.fields["county"]).queryset = (
            Organisation.objects.filter(
                kind__in=[Organisation.Kind.COUNTY_GOV, Organisation.Kind.PARK_COMMITTEE],
                path__startswith=tour.organiser.scope_path,
            )
            .exclude(tour_units__tour=tour)
            .order_by("sort_order", "path")
        )
        cast(
            "forms.ModelChoiceField[Any]", self.fields["unit_group"]
        ).queryset = tour.unit_groups.all()
        cast(_Choice, self.fields["visit_group"]).queryset = tour.groups.all()

    def save(self, *, actor: User, tour: Tour) -> Any:
        return services.add_unit(actor=actor, tour=tour, **self.cleaned_data)


class SiteForm(CatalogueErrorsMixin, forms.Form):
    project_code = forms.CharField(
        label="项目",
        max_length=120,
        required=False,
        help_text="输入项目名称或代码的一部分，从项目库中选择",
    )
    unit = forms.ModelChoiceField(
        label="县级汇报（不填项目时）", queryset=Organisation.objects.none(), required=False
    )
    visit_date = forms.DateField(label="日期", widget=DATE)
    slot_start = forms.TimeField(label="开始", widget=TIME)
    slot_end = forms.TimeField(label="结束", widget=TIME)
    presenter_name = forms.CharField(label="讲解人", max_length=20, required=False)
    presenter_title = forms.CharField(label="讲解人职务", max_length=40, required=False)

    def __init__(self, *args: Any, tour: Tour, actor: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.tour = tour
        # Search the registry as the organiser types (name or code, in scope, HTMX options).
        self.fields["project_code"].widget.attrs.update(
            {
                "list": "site-options",
                "autocomplete": "off",
                "placeholder": "输入项目名称或代码的一部分",
                "hx-get": reverse("inspections:site_search", args=[tour.pk]),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#site-options",
                "hx-swap": "innerHTML",
            }
        )
        cast(
            "forms.ModelChoiceField[Any]", self.fields["unit"]
        ).queryset = tour.units.select_related("county")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        ref = (data.get("project_code") or "").strip()
        data["project"] = None
        if ref:
            counties = self.tour.units.values_list("county_id", flat=True)
            # Only projects the organiser may see (scope before existence).
            in_scope = visible_projects(self.actor) if self.actor else None
            if in_scope is None:
                raise forms.ValidationError(f"参评单位中找不到项目“{ref}”。")
            candidates = in_scope.filter(county_id__in=counties)
            project = candidates.filter(code=ref).first() or candidates.filter(name=ref).first()
            if project is None:
                raise forms.ValidationError(f"参评单位中找不到项目“{ref}”。")
            data["project"] = project
        elif not data.get("unit"):
            raise forms.ValidationError("请填写项目，或选择进行县级汇报的单位。")
        return data

    def save(self, *, actor: User, tour: Tour) -> Any:
        data = dict(self.cleaned_data)
        data.pop("project_code", None)
        return services.add_site(actor=actor, tour=tour, **data)


class JudgeForm(CatalogueErrorsMixin, forms.Form):
    user = forms.ModelChoiceField(label="评委", queryset=User.objects.none())
    group = forms.ModelChoiceField(label="观摩组", queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, tour: Tour, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        judges = [
            u.pk
            for u in User.objects.filter(
                is_active=True, organisation__path__startswith=tour.organiser.scope_path
            ).exclude(judge_seats__tour=tour)
            if u.has_role(Role.JUDGE)
        ]
        cast(_Choice, self.fields["user"]).queryset = User.objects.filter(pk__in=judges)
        cast(_Choice, self.fields["group"]).queryset = tour.groups.all()

    def save(self, *, actor: User, tour: Tour) -> Any:
        return services.add_judge(actor=actor, tour=tour, **self.cleaned_data)


class FindingForm(CatalogueErrorsMixin, forms.Form):
    title = forms.CharField(label="问题", max_length=120)
    description = forms.CharField(
        label="描述", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    category = forms.ModelChoiceField(
        label="问题类别", queryset=problem_selectors.categories(), required=False
    )
    deadline = forms.DateField(label="整改时限", required=False, widget=DATE)
