"""An explicit null in a PATCH for a field that cannot be empty is a Chinese 400 naming the
field, never a 500 (found by the API fuzzer: problems' category/county, projects' builder)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from dudao.problems.tests.factories import make_problem
from dudao.projects.testing import make_project
from dudao.testing import World

pytestmark = pytest.mark.django_db


def _patch(client: Client, url: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
    response = client.patch(url, data=json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def test_a_problem_patch_with_null_category_is_refused_by_name(
    client: Client, world: World
) -> None:
    problem = make_problem(world)
    client.force_login(world.city_supervisor)
    status, body = _patch(
        client,
        f"/api/v1/problems/{problem.pk}",
        {"version": problem.version, "category_id": None, "county_id": None},
    )
    assert status == 400
    assert body["error"]["message"] == "“问题类别”不能为空。"  # type: ignore[index]
    problem.refresh_from_db()
    assert problem.category_id is not None


def test_a_project_patch_with_null_text_fields_is_refused_by_name(
    client: Client, world: World
) -> None:
    project = make_project(world)
    client.force_login(world.county_a_reporter)
    status, body = _patch(
        client,
        f"/api/v1/projects/{project.pk}",
        {"version": project.version, "builder_name": None, "code": None},
    )
    assert status == 400
    assert body["error"]["message"] == "“建设单位”不能为空。"  # type: ignore[index]
    project.refresh_from_db()
    assert project.version == 1


def test_a_null_for_a_text_field_that_may_be_empty_clears_it(client: Client, world: World) -> None:
    """Found by the fuzzer in CI: `"responsible_person": null` reached the NOT NULL column."""
    problem = make_problem(world)
    client.force_login(world.city_supervisor)
    status, body = _patch(
        client,
        f"/api/v1/problems/{problem.pk}",
        {"version": problem.version, "responsible_person": None, "measures": None},
    )
    assert status == 200, body
    problem.refresh_from_db()
    assert problem.responsible_person == ""
    assert problem.measures == ""
