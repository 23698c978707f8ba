"""Leaders' 批示 (issue 14, item 9): written on a project, a problem or a task, it becomes a
source of kind 领导批示 and a task issued to the responsible unit (audited, notified), and shows
in the 领导批示 panel of the object's page. Only leaders write; scope as everywhere (404)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dudao.audit.models import AuditEvent
from dudao.core.exceptions import DomainError, NotAllowed
from dudao.core.panels import panel_labels
from dudao.problems.tests.factories import make_problem
from dudao.projects.testing import make_project
from dudao.supervision import services
from dudao.supervision.models import Notification, SupervisionTask, TaskSource
from dudao.supervision.tests.factories import make_task
from dudao.testing import World

pytestmark = pytest.mark.django_db
TEXT = "请抓紧协调解决用地问题，确保按期开工。"

TARGETS: dict[str, tuple[Callable[[World], Any], str]] = {
    "project": (make_project, "projects:detail"),
    "problem": (make_problem, "problems:detail"),
    "task": (make_task, "supervision:task_detail"),
}


def test_every_kind_has_the_panel_on_its_page() -> None:
    assert {"projects.project", "problems.problem", "supervision.supervisiontask"} <= set(
        panel_labels()
    )


@pytest.mark.parametrize("kind", sorted(TARGETS))
def test_a_leader_writes_a_pishi_and_it_shows_on_the_object(
    client: Client, world: World, kind: str
) -> None:
    make, detail = TARGETS[kind]
    obj = make(world)
    client.force_login(world.city_leader)
    page = client.get(reverse(detail, kwargs={"pk": obj.pk}))
    assert page.status_code == 200
    assert "写批示" in page.content.decode()
    url = reverse("supervision:instruction_create", kwargs={"kind": kind, "pk": obj.pk})
    response = client.post(url, {"text": TEXT, "lead_org": world.county_a.pk, "urgency": "urgent"})
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == reverse(detail, kwargs={"pk": obj.pk})
    source = TaskSource.objects.get(
        kind=TaskSource.Kind.INSTRUCTION, source_ref__endswith=f":{obj.pk}"
    )
    assert (source.leader_name, source.text) == (world.city_leader.full_name, TEXT)
    task = source.tasks.get()
    assert (task.lead_org, task.status, task.urgency) == (world.county_a, "assigned", "urgent")
    assert task.deadline is not None
    assert task.assigned_on is not None
    assert (task.deadline - task.assigned_on).days >= 5
    actions = set(
        AuditEvent.objects.filter(actor=world.city_leader).values_list("action", flat=True)
    )
    assert {
        "supervision.source_create",
        "supervision.task_create",
        "supervision.task_issue",
        "supervision.instruction",
    } <= actions
    assert Notification.objects.filter(user=world.county_a_reporter, url__contains=str(task.pk))
    # The object's page lists it with the task's state, for the leader and the responsible unit.
    for user in (world.city_leader, world.county_a_reporter):
        client.force_login(user)
        html = client.get(reverse(detail, kwargs={"pk": obj.pk})).content.decode()
        assert "领导批示" in html
        assert TEXT in html
        assert task.code in html
        assert "已交办" in html


def test_a_non_leader_cannot_write_a_pishi(client: Client, world: World) -> None:
    project = make_project(world)
    url = reverse("supervision:instruction_create", kwargs={"kind": "project", "pk": project.pk})
    for user in (world.city_supervisor, world.county_a_reporter, world.county_a_reviewer):
        client.force_login(user)
        assert client.post(url, {"text": TEXT, "lead_org": world.county_a.pk}).status_code == 403
        assert (
            "写批示"
            not in client.get(
                reverse("projects:detail", kwargs={"pk": project.pk})
            ).content.decode()
        )
    target = services.instruction_target(world.city_leader, "project", project.pk)
    with pytest.raises(NotAllowed):
        services.write_instruction(
            actor=world.city_supervisor, target=target, text=TEXT, lead_org=world.county_a
        )
    assert not TaskSource.objects.filter(kind=TaskSource.Kind.INSTRUCTION).exists()


def test_a_missing_object_or_an_unknown_kind_is_404(client: Client, world: World) -> None:
    project = make_project(world)
    client.force_login(world.city_leader)
    for kind, pk in (("project", 999999), ("nothing", project.pk)):
        url = reverse("supervision:instruction_create", kwargs={"kind": kind, "pk": pk})
        assert client.get(url).status_code == 404
        assert client.post(url, {"text": TEXT, "lead_org": world.county_a.pk}).status_code == 404


def test_an_empty_pishi_or_an_out_of_scope_unit_writes_nothing(world: World) -> None:
    project = make_project(world)
    target = services.instruction_target(world.city_leader, "project", project.pk)
    before = (
        TaskSource.objects.count(),
        SupervisionTask.objects.count(),
        AuditEvent.objects.count(),
    )
    with pytest.raises(DomainError, match="请填写批示内容"):
        services.write_instruction(
            actor=world.city_leader, target=target, text="  ", lead_org=world.county_a
        )
    assert (
        TaskSource.objects.count(),
        SupervisionTask.objects.count(),
        AuditEvent.objects.count(),
    ) == before


def test_a_leader_may_not_register_other_sources(world: World) -> None:
    from django.utils import timezone

    with pytest.raises(NotAllowed):
        services.create_source(
            actor=world.city_leader,
            kind=TaskSource.Kind.MEETING,
            title="会议",
            source_date=timezone.localdate(),
        )
