"""Issue 21 item 4: every field error in Chinese from one catalogue
(`dudao.core.exceptions.field_error_message`), for the services (`full_clean_or_raise`) and the
forms (`CatalogueErrorsMixin`) alike — never Django's "确认总共不超过 14 个数字。"."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms
from django.db import models

from dudao.core.exceptions import DomainError, field_error_message
from dudao.core.forms import CatalogueErrorsMixin
from dudao.projects.forms import PlanForm
from dudao.projects.models import Project, ProjectCategory
from dudao.projects.testing import TEST_AREA, ensure_area_code
from dudao.testing import World

TOO_MANY = "“总投资（万元）”数值过大：最多 14 位数字，其中整数部分最多 12 位、小数最多 2 位。"


@pytest.mark.django_db
def test_a_service_names_the_field_and_its_limit(world: World) -> None:
    from dudao.projects import services

    ensure_area_code()
    with pytest.raises(DomainError) as exc:
        services.create_project(
            actor=world.city_supervisor,
            code=f"2601-{TEST_AREA}-38-03-700001",
            name="位数过多的项目",
            category=ProjectCategory.objects.get(code="industry"),
            stage=Project.Stage.NEW,
            level=Project.Level.CITY,
            county=world.county_a,
            total_investment=Decimal("1234567890123.45"),
        )
    assert (exc.value.message, exc.value.field) == (TOO_MANY, "total_investment")


def test_a_form_speaks_the_same_catalogue() -> None:
    form = PlanForm(data={"year": "2026", "planned_investment": "1234567890123.45"})
    assert not form.is_valid()
    assert form.errors["planned_investment"] == [
        "“年度计划投资（万元）”数值过大：最多 14 位数字，其中整数部分最多 12 位、小数最多 2 位。"
    ]


class _Sample(CatalogueErrorsMixin, forms.Form):
    amount = forms.DecimalField(label="金额", max_digits=6, decimal_places=2, min_value=0)
    count = forms.IntegerField(label="个数", max_value=10)
    name = forms.CharField(label="名称", max_length=4)
    day = forms.DateField(label="日期")
    kind = forms.ChoiceField(label="类型", choices=[("a", "甲")])


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"amount": "1.234"}, "amount", "“金额”最多保留 2 位小数。"),
        ({"amount": "-1"}, "amount", "“金额”不能小于 0。"),
        ({"amount": "abc"}, "amount", "“金额”应为数字。"),
        ({"count": "11"}, "count", "“个数”不能大于 10。"),
        ({"count": "x"}, "count", "“个数”应为整数。"),
        ({"name": "一二三四五"}, "name", "“名称”最多 4 个字符（现为 5 个）。"),
        ({"day": "2026-02-30"}, "day", "“日期”应为有效日期，如 2026-01-31。"),
        ({"kind": "b"}, "kind", "“类型”的取值“b”无效，请从给定的选项中选择。"),
        ({}, "name", "“名称”不能为空。"),
    ],
)
def test_each_code_has_its_sentence(data: dict[str, str], field: str, message: str) -> None:
    form = _Sample(data=data)
    assert not form.is_valid()
    assert form.errors[field] == [message]


def test_an_unknown_code_keeps_the_validators_own_message() -> None:
    assert field_error_message("名称", models.CharField(), "org_code_charset", {}) is None
    assert field_error_message("", models.CharField(), "max_length", {}) is None
    digits = field_error_message("计数", models.IntegerField(), "max_digits", {"max": 5})
    assert digits == "“计数”数值过大：最多 5 位数字。"


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


def test_every_form_of_the_apps_speaks_the_catalogue() -> None:
    """Every Django form the pages use (all modules, not only problems and projects) takes its
    field errors from the one catalogue: a new form without the mixin fails here."""
    import dudao.urls  # noqa: F401 - loads every page module, hence every form

    missing = sorted(
        f"{form.__module__}.{form.__qualname__}"
        for form in _subclasses(forms.BaseForm)
        if form.__module__.startswith("dudao.")
        and ".tests" not in form.__module__
        and not issubclass(form, CatalogueErrorsMixin)
    )
    assert missing == []
    assert len([f for f in _subclasses(CatalogueErrorsMixin) if ".tests" not in f.__module__]) > 60


@pytest.mark.parametrize(
    ("form_path", "data", "field", "message"),
    [
        (
            "dudao.investment.forms.FundsForm",
            {"amount": "12345678901234567"},
            "amount",
            "数值过大",
        ),
        ("dudao.accounts.forms.UserCreateForm", {"username": "x" * 200}, "username", "最多"),
    ],
)
def test_forms_of_other_modules_give_catalogue_messages(
    form_path: str, data: dict[str, str], field: str, message: str
) -> None:
    from django.utils.module_loading import import_string

    form = import_string(form_path)(data=data)
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])
