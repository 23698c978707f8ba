"""One task sent to many units at once (issue 14, item 6): all or nothing, inherited fields,
per-unit overrides, scope, and the page with its searchable unit tree."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dudao.audit.models import AuditEvent
from dudao.core.exceptions import DomainError
from dudao.supervision import services
from dudao.supervision.models import Notification, SupervisionTask
from dudao.supervision.tests.factories import make_source, make_task
from dudao.testing import World

pytestmark = pytest.mark.django_db
S = SupervisionTask.Status
COMMON: dict[str, Any] = {
    "content": "制定提质转型实施方案并组织实施",
    "goal": "年底前完成方案印发和首批项目落地",
    "urgency": SupervisionTask.Urgency.URGENT,
    "feedback_cycle": SupervisionTask.Cycle.WEEKLY,
}


def _later(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def test_a_cascade_creates_and_issues_one_audited_task_per_unit(world: World) -> None:
    source = make_source(world.city_supervisor)
    milestones = [(_later(20), "完成方案编制", Decimal("30"))]
    tasks = services.cascade_task(
        actor=world.city_supervisor,
        title="推进产业集聚区提质转型",
        source=source,
        milestones=milestones,
        units=[
            services.CascadeUnit(lead_org=world.county_a, deadline=_later(40)),
            services.CascadeUnit(
                lead_org=world.county_b,
                deadline=_later(50),
                overrides={"goal": "年底前首批三个项目落地", "urgency": "hard"},
            ),
        ],
        deadline=_later(60),
        **COMMON,
    )
    a, b = tasks
    assert [t.lead_org for t in tasks] == [world.county_a, world.county_b]
    assert {t.status for t in tasks} == {S.ASSIGNED}
    # Inherited: content, goal, urgency, cycle, milestones; overridden per unit.
    assert (a.content, a.goal, a.urgency, a.feedback_cycle) == (
        COMMON["content"],
        COMMON["goal"],
        "urgent",
        "weekly",
    )
    assert (b.goal, b.urgency, b.content) == ("年底前首批三个项目落地", "hard", COMMON["content"])
    assert (a.deadline, b.deadline) == (_later(40), _later(50))
    for t in tasks:
        assert [(m.description, m.expected_progress) for m in t.milestones.all()] == [
            ("完成方案编制", Decimal("30.00"))
        ]
        actions = (
            AuditEvent.objects.filter(
                object_type="supervision.supervisiontask", object_id=str(t.pk)
            )
            .order_by("id")
            .values_list("action", flat=True)
        )
        assert list(actions) == ["supervision.task_create", "supervision.task_issue"]
    assert AuditEvent.objects.filter(action="supervision.task_cascade").count() == 1
    # Each responsible unit is told of its new task.
    assert Notification.objects.filter(user=world.county_a_reporter, url__contains=str(a.pk))
    assert Notification.objects.filter(user=world.county_b_reporter, url__contains=str(b.pk))


def test_one_refused_unit_creates_nothing_and_the_error_names_it(world: World) -> None:
    source = make_source(world.city_supervisor)
    before = (SupervisionTask.objects.count(), AuditEvent.objects.count())
    with pytest.raises(DomainError) as exc:
        services.cascade_task(
            actor=world.city_supervisor,
            title="推进产业集聚区提质转型",
            source=source,
            units=[
                services.CascadeUnit(lead_org=world.county_a, deadline=_later(40)),
                services.CascadeUnit(lead_org=world.county_b, deadline=_later(-3)),
            ],
            **COMMON,
        )
    assert exc.value.message.startswith(f"{world.county_b.name}：完成时限")
    assert (SupervisionTask.objects.count(), AuditEvent.objects.count()) == before


def test_a_unit_outside_the_scope_is_refused_by_name(world: World) -> None:
    parent = make_task(world, lead=world.county_a)
    with pytest.raises(DomainError) as exc:
        services.cascade_task(
            actor=world.county_a_reviewer,
            title=parent.title,
            parent=parent,
            units=[
                services.CascadeUnit(lead_org=world.county_a_drc, weight=Decimal("2")),
                services.CascadeUnit(lead_org=world.county_b, weight=Decimal("1")),
            ],
            deadline=parent.deadline,
            **COMMON,
        )
    assert exc.value.message == f"{world.county_b.name}：牵头单位不在您的数据范围内。"
    assert not parent.children.exists()


def test_a_split_among_units_keeps_weights_and_rolls_up(world: World) -> None:
    parent = make_task(world, lead=world.city, urgency="urgent")
    children = services.cascade_task(
        actor=world.city_supervisor,
        title=parent.title,
        parent=parent,
        units=[
            services.CascadeUnit(lead_org=world.county_a, weight=Decimal("3")),
            services.CascadeUnit(lead_org=world.county_b, weight=Decimal("1")),
        ],
        deadline=parent.deadline,
        **COMMON,
    )
    assert [c.weight for c in children] == [Decimal("3.00"), Decimal("1.00")]
    assert {c.parent_id for c in children} == {parent.pk}
    assert [c.code for c in children] == [f"{parent.code}-01", f"{parent.code}-02"]


def test_duplicates_and_an_empty_choice_are_refused(world: World) -> None:
    source = make_source(world.city_supervisor)
    with pytest.raises(DomainError, match="请至少选择一个责任单位"):
        services.cascade_task(actor=world.city_supervisor, title="任务", source=source, units=[])
    with pytest.raises(DomainError, match=f"责任单位重复：{world.county_a.name}"):
        services.cascade_task(
            actor=world.city_supervisor,
            title="任务",
            source=source,
            units=[services.CascadeUnit(lead_org=world.county_a)] * 2,
        )


def _post(world: World, source_pk: int, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "source": source_pk,
        "title": "推进产业集聚区提质转型",
        "units": [world.county_a.pk, world.county_b.pk],
        "deadline_mode": "date",
        "deadline": _later(60).isoformat(),
        "milestones": f"{_later(20).isoformat()}｜完成方案编制｜30",
        "issue": "1",
        **COMMON,
    }
    data.update(extra)
    return data


def test_the_page_cascades_with_per_unit_rows(client: Client, world: World) -> None:
    source = make_source(world.city_supervisor)
    client.force_login(world.city_supervisor)
    url = reverse("supervision:task_cascade")
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "data-unit-picker" in html
    assert world.county_b.name in html
    data = _post(world, source.pk, **{f"unit-{world.county_b.pk}-deadline": _later(30)})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    tasks = SupervisionTask.objects.filter(source=source).order_by("lead_org__path")
    assert {t.lead_org_id: t.deadline for t in tasks} == {
        world.county_a.pk: _later(60),
        world.county_b.pk: _later(30),
    }
    assert {t.urgency for t in tasks} == {"urgent"}


def test_the_page_shows_a_wrong_row_by_unit_and_writes_nothing(
    client: Client, world: World
) -> None:
    source = make_source(world.city_supervisor)
    client.force_login(world.city_supervisor)
    data = _post(world, source.pk, **{f"unit-{world.county_b.pk}-deadline": "2026-02-30"})
    response = client.post(reverse("supervision:task_cascade"), data)
    assert response.status_code == 200
    assert (
        f"{world.county_b.name}：完成时限应为 YYYY-MM-DD 格式的日期。" in response.content.decode()
    )
    assert not SupervisionTask.objects.filter(source=source).exists()


def test_the_picker_offers_only_units_in_scope(client: Client, world: World) -> None:
    parent = make_task(world, lead=world.county_a)
    client.force_login(world.county_a_reviewer)
    response = client.get(reverse("supervision:task_cascade"), {"parent": parent.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert world.county_a_drc.name in html
    assert world.county_b.name not in html
    assert world.county_b_drc.name not in html
    # A posted unit outside the offered tree is refused by the form, nothing is created.
    response = client.post(
        f"{reverse('supervision:task_cascade')}?parent={parent.pk}",
        {"title": "任务", "units": [world.county_b.pk], "deadline_mode": "date", **COMMON},
    )
    assert response.status_code == 200
    assert not parent.children.exists()


def test_the_split_form_inherits_urgency_and_content(client: Client, world: World) -> None:
    parent = make_task(world, lead=world.county_a, urgency="hard")
    client.force_login(world.county_a_reviewer)
    html = client.get(reverse("supervision:task_cascade"), {"parent": parent.pk}).content.decode()
    assert '<option value="hard" selected>' in html
    html = client.get(reverse("supervision:task_create"), {"parent": parent.pk}).content.decode()
    assert '<option value="hard" selected>' in html
    assert parent.content in html


def test_a_reporter_cannot_open_the_cascade_page(client: Client, world: World) -> None:
    client.force_login(world.county_a_reporter)
    assert client.get(reverse("supervision:task_cascade")).status_code == 403


def test_hostile_unit_ids_and_rows_are_refused_without_a_500(client: Client, world: World) -> None:
    source = make_source(world.city_supervisor)
    client.force_login(world.city_supervisor)
    url = reverse("supervision:task_cascade")
    for units in (["abc"], ["9" * 30], ["²"]):
        response = client.post(url, _post(world, source.pk, units=units))
        assert response.status_code == 200
    bad_rows = {
        f"unit-{world.county_a.pk}-weight": "NaN",
        f"unit-{world.county_b.pk}-deadline": "9999-99-99",
    }
    response = client.post(url, _post(world, source.pk, **bad_rows))
    assert response.status_code == 200
    assert (
        f"{world.county_a.name}：权重应为大于 0、小于 100000 的数字。" in response.content.decode()
    )
    assert not SupervisionTask.objects.filter(source=source).exists()
    # The same unit posted twice is one unit.
    response = client.post(url, _post(world, source.pk, units=[world.county_a.pk] * 2))
    assert response.status_code == 302
    assert SupervisionTask.objects.filter(source=source, lead_org=world.county_a).count() == 1
