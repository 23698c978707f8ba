"""Typed helpers for the problem tests: problems built through the services."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils import timezone
from PIL import Image

from dudao.accounts.models import User
from dudao.orgs.models import Organisation
from dudao.problems import services
from dudao.problems.models import Problem, ProblemCategory, ProblemEvidence
from dudao.testing import World


def category(code: str = "funding") -> ProblemCategory:
    return ProblemCategory.objects.get(code=code)


def scope_root(user: User) -> Organisation:
    """The organisation whose subtree the user sees (a county, a park committee, the city)."""
    return Organisation.objects.get(path=user.organisation.scope_path)


def make_problem(
    world: World,
    responsible: Organisation | None = None,
    *,
    actor: User | None = None,
    deadline: dt.date | None = None,
    **extra: Any,
) -> Problem:
    """A problem issued by the city's 督查室 (or `actor`) to `responsible` (county A)."""
    return services.create_problem(
        actor=actor or world.city_supervisor,
        source=extra.pop("source", Problem.Source.SUPERVISION),
        category=extra.pop("category", None) or category(),
        title=extra.pop("title", "项目用地指标未落实"),
        responsible_org=responsible or world.county_a,
        deadline=deadline or timezone.localdate() + dt.timedelta(days=30),
        **extra,
    )


def photo_bytes(color: str = "red", size: tuple[int, int] = (64, 48), fmt: str = "JPEG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


def add_after_photo(world: World, problem: Problem, actor: User | None = None) -> ProblemEvidence:
    return services.add_evidence(
        actor=actor or world.county_a_reporter,
        problem=problem,
        stage=ProblemEvidence.Stage.AFTER,
        data=photo_bytes("green"),
        filename="整改后.jpg",
    )


def walk(world: World, problem: Problem, to: str) -> Problem:
    """Move a county A problem along the happy path until it reaches status `to`."""
    status = Problem.Status
    reporter, supervisor = world.county_a_reporter, world.city_supervisor
    steps = {
        status.ASSIGNED: (reporter, "start", ""),
        status.FIXING: (reporter, "apply", "已完成整改"),
        status.APPLIED: (supervisor, "verify", ""),
        status.VERIFYING: (supervisor, "close", "现场核查属实"),
    }
    while problem.status != to:
        actor, action, note = steps[status(problem.status)]
        if action == "apply":
            add_after_photo(world, problem, reporter)
        problem = services.transition(actor=actor, problem=problem, action=action, note=note)
    return problem
