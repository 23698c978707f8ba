"""What projects offers the modules above it: active categories, the re-exported code rules, the
in-transaction `_create_project`, and the `milestone_reached` signal of an approved report."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from dudao.projects import rules, selectors, services
from dudao.projects.models import MonthlyReport, ProjectCategory
from dudao.projects.signals import milestone_reached
from dudao.projects.testing import make_project, node, report
from dudao.testing import World

pytestmark = pytest.mark.django_db


def test_active_categories_leave_out_disabled_ones() -> None:
    first = ProjectCategory.objects.order_by("pk").first()
    assert first is not None
    ProjectCategory.objects.filter(pk=first.pk).update(is_active=False)
    assert first not in selectors.active_categories()
    assert selectors.active_categories().exists()


def test_the_code_rules_are_public() -> None:
    assert rules.normalise_uscc("91110000600037341l") == "91110000600037341L"
    assert rules.check_industry_code("3411") == "3411"
    assert rules.decode_project_code("2604-410100-30-03-000001", {"410100"}).year == 2026


def test_create_project_composes_inside_a_callers_transaction(world: World) -> None:
    category = selectors.active_categories().first()
    with transaction.atomic():
        project = services._create_project(
            actor=world.county_a_reporter,
            name="组合事务中的项目",
            category=category,
            stage="preparation",
            level="county",
            county=world.county_a,
            total_investment=Decimal("100"),
        )
    assert project.pk is not None


def test_an_approved_start_report_sends_milestone_reached(world: World) -> None:
    received: list[dict[str, Any]] = []

    def listen(sender: Any, **kwargs: Any) -> None:
        received.append(kwargs)

    milestone_reached.connect(listen, dispatch_uid="test.listen")
    try:
        project = make_project(world)
        report(
            world,
            project,
            3,
            "10",
            node=node("START"),
            node_date=date(2026, 3, 5),
            status=MonthlyReport.Status.APPROVED,
        )
        report(
            world,
            project,
            4,
            "10",
            node=node("MAIN"),
            node_date=date(2026, 4, 5),
            status=MonthlyReport.Status.APPROVED,
        )
    finally:
        milestone_reached.disconnect(dispatch_uid="test.listen")
    assert [(r["project_id"], r["role"], r["on"]) for r in received] == [
        (project.pk, "start", date(2026, 3, 5))
    ]
    assert received[0]["actor"] == world.county_a_reviewer
