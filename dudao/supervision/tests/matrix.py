"""督查督办 in the policy matrix test (dudao/core/tests/policy_matrix.py).

OBJECTS: URL name → (scope, function(world, actor, ownership) → URL kwargs), for URLs with ids.
ALLOWED: (URL name, method) → the status an allowed, in-scope call with an empty form gets.

An "own" task is led by the actor's own unit (county actors) or county A (city actors); an
"other" task by the other county. Pages answer a refused or invalid POST with a redirect and
a message (302); the API answers an empty body with 422.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from dudao.supervision import services
from dudao.supervision.models import LightRule
from dudao.testing import COUNTY_ACTORS

if TYPE_CHECKING:
    from collections.abc import Callable

    from dudao.accounts.models import User
    from dudao.core.tests.policy_matrix import ObjectArgs, Ownership, Scope
    from dudao.orgs.models import Organisation
    from dudao.supervision.models import SupervisionTask
    from dudao.testing import ActorName, World


def _lead(world: World, actor: ActorName, ownership: Ownership) -> Organisation:
    if ownership == "other":
        return world.other_county(actor)
    if actor in COUNTY_ACTORS:
        return world.actor(actor).organisation
    return world.county_a


def _reporter(world: World, lead: Organisation) -> User:
    if lead.path.startswith(world.county_b.path):
        return world.county_b_reporter
    if lead.path.startswith(world.park_a.path):
        return world.park_reporter
    return world.county_a_reporter


def _task(world: World, actor: ActorName, ownership: Ownership) -> SupervisionTask:
    from dudao.supervision.tests.factories import make_task

    return make_task(world, lead=_lead(world, actor, ownership))


def _task_id(world: World, actor: ActorName, ownership: Ownership) -> int:
    return _task(world, actor, ownership).pk


def _attachment(world: World, actor: ActorName, ownership: Ownership) -> int:
    from dudao.supervision.tests.factories import evidence

    task = _task(world, actor, ownership)
    feedback = services.post_feedback(
        actor=_reporter(world, task.lead_org),  # type: ignore[arg-type]
        task=task,
        progress="10",
        text="已启动",
        files=[evidence()],
    )
    return feedback.attachments.get().pk


def _extension(world: World, actor: ActorName, ownership: Ownership) -> int:
    task = _task(world, actor, ownership)
    return services.request_extension(
        actor=_reporter(world, task.lead_org),  # type: ignore[arg-type]
        task=task,
        new_deadline=timezone.localdate() + timedelta(days=90),
        reason="征地手续延后",
    ).pk


def _source(world: World, actor: ActorName, ownership: Ownership) -> int:
    return _task(world, actor, ownership).source_id


def _rule(world: World, actor: ActorName, ownership: Ownership) -> int:
    return LightRule.objects.order_by("pk").values_list("pk", flat=True)[0]


def _pk(build: Callable[[World, ActorName, Ownership], int]) -> ObjectArgs:
    return lambda w, a, o: {"pk": build(w, a, o)}


def _task_kw(w: World, a: ActorName, o: Ownership) -> dict[str, object]:
    return {"task_id": _task_id(w, a, o)}


TASK_PAGES = (
    "task_detail",
    "task_issue",
    "task_feedback",
    "task_apply",
    "task_verify",
    "task_extension",
)

OBJECTS: dict[str, tuple[Scope, ObjectArgs]] = {
    **{f"supervision:{name}": ("org", _pk(_task_id)) for name in TASK_PAGES},
    "supervision:extension_decide": ("org", _pk(_extension)),
    "supervision:source_detail": ("org", _pk(_source)),
    "supervision:attachment": ("org", _pk(_attachment)),
    "supervision:rule_edit": ("global", _pk(_rule)),
    "supervision:instruction_create": (
        "org",
        lambda w, a, o: {"kind": "task", "pk": _task_id(w, a, o)},
    ),
    **{f"api:supervision_{name}": ("org", _task_kw) for name in TASK_PAGES},
    "api:supervision_extension_decide": (
        "org",
        lambda w, a, o: {"extension_id": _extension(w, a, o)},
    ),
}

ALLOWED: dict[tuple[str, str], int] = {
    ("supervision:my_tasks", "GET"): 200,
    ("supervision:task_list", "GET"): 200,
    ("supervision:task_create", "GET"): 200,
    ("supervision:task_create", "POST"): 200,
    ("supervision:task_import", "GET"): 200,
    ("supervision:task_import", "POST"): 200,
    ("supervision:task_import_template", "GET"): 200,
    ("supervision:task_export", "GET"): 200,
    ("supervision:task_cascade", "GET"): 200,
    ("supervision:task_cascade", "POST"): 200,
    ("supervision:instruction_create", "GET"): 200,
    ("supervision:instruction_create", "POST"): 200,
    ("supervision:task_detail", "GET"): 200,
    ("supervision:task_issue", "POST"): 302,
    ("supervision:task_feedback", "POST"): 302,
    ("supervision:task_apply", "POST"): 302,
    ("supervision:task_verify", "POST"): 302,
    ("supervision:task_extension", "POST"): 302,
    ("supervision:extension_decide", "POST"): 302,
    ("supervision:source_list", "GET"): 200,
    ("supervision:source_create", "GET"): 200,
    ("supervision:source_create", "POST"): 200,
    ("supervision:source_detail", "GET"): 200,
    ("supervision:attachment", "GET"): 200,
    ("supervision:overview", "GET"): 200,
    ("supervision:performance", "GET"): 200,
    ("supervision:rules", "GET"): 200,
    ("supervision:rule_edit", "POST"): 302,
    ("supervision:notifications", "GET"): 200,
    ("supervision:notifications_read", "POST"): 302,
    ("api:supervision_task_list", "GET"): 200,
    ("api:supervision_task_list", "POST"): 422,
    ("api:supervision_my_tasks", "GET"): 200,
    ("api:supervision_task_detail", "GET"): 200,
    ("api:supervision_task_issue", "POST"): 422,
    ("api:supervision_task_feedback", "POST"): 422,
    ("api:supervision_task_apply", "POST"): 422,
    ("api:supervision_task_verify", "POST"): 422,
    ("api:supervision_task_extension", "POST"): 422,
    ("api:supervision_extension_decide", "POST"): 422,
    ("api:supervision_source_list", "GET"): 200,
    ("api:supervision_source_list", "POST"): 422,
    ("api:supervision_overview", "GET"): 200,
    ("api:supervision_performance", "GET"): 200,
    ("api:supervision_notification_list", "GET"): 200,
}
