"""Scope before existence: a task outside the caller's scope is 404 whatever the body says
(the body is read only after the task is found in scope), exactly as a missing task."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dudao.supervision.tests.factories import make_task
from dudao.testing import World

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("api:supervision_task_issue", {"version": "not a number"}),
        ("api:supervision_task_verify", {"passed": "maybe"}),
        ("api:supervision_task_extension", {"new_deadline": "someday"}),
    ],
)
def test_out_of_scope_is_404_before_the_body_is_read(
    client: Client, world: World, name: str, body: dict[str, str]
) -> None:
    task = make_task(world, lead=world.county_b)
    client.force_login(world.county_a_reviewer)
    other = client.post(reverse(name, args=[task.pk]), body, content_type="application/json")
    missing = client.post(reverse(name, args=[999_999]), body, content_type="application/json")
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()
    # In scope, the same body is a validation error.
    client.force_login(world.city_supervisor)
    own = client.post(reverse(name, args=[task.pk]), body, content_type="application/json")
    assert own.status_code in (403, 422)
