"""Run in a subprocess after `dudao demo` (bench/surge.py's setup step): seat N fictional
reporters (填报员) in the counties' 发改局 of the demo, spread evenly, each with a slot among
the reporters of its office (the simulated user then works on its own share of the grid: the rows
whose project id falls on its slot), and print the JSON the load needs.

The demo city has about 50 projects a county; 300 reporters in 11 offices would be ~2 rows each
and colleagues would keep overwriting each other's rows (409 on every other save). A county
office's reporters each own several projects, so each county gets fictional copies of its own
projects (名称带“·高峰”) until every reporter has ROWS_EACH rows of its own.

Accounts are made as the demo makes its own (a setup step of a
benchmark, not an administrator's work: no second factor, no forced password change)."""

from __future__ import annotations

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from dudao.accounts.models import User  # noqa: E402
from dudao.accounts.roles import Role  # noqa: E402
from dudao.demo.registry import DEMO_PASSWORD  # noqa: E402
from dudao.orgs.models import Organisation  # noqa: E402
from dudao.projects.models import Project, ProjectMilestone, ProjectYearPlan  # noqa: E402

ROWS_EACH = 6


def _more_projects(county: Organisation, wanted: int) -> None:
    """Copies of the county's own projects until it has ``wanted`` active ones."""
    sources = list(Project.objects.filter(county=county, is_active=True).order_by("pk"))
    missing = wanted - len(sources)
    if missing <= 0 or not sources:
        return
    picked = [sources[k % len(sources)] for k in range(missing)]
    copies = Project.objects.bulk_create(
        Project(
            name=f"{src.name}·高峰{k + 1:03d}",
            category_id=src.category_id,
            stage=src.stage,
            level=src.level,
            county=county,
            park_id=src.park_id,
            total_investment=src.total_investment,
            builder_name=src.builder_name,
            industry_code=src.industry_code,
        )
        for k, src in enumerate(picked)
    )
    # with the source's milestones and year plans: a 续建 project must have its 开工 date
    source_of = {copy.pk: src.pk for copy, src in zip(copies, picked, strict=True)}
    milestones: dict[int, list[ProjectMilestone]] = {}
    for m in ProjectMilestone.objects.filter(project_id__in=set(source_of.values())):
        milestones.setdefault(m.project_id, []).append(m)
    plans: dict[int, list[ProjectYearPlan]] = {}
    for p in ProjectYearPlan.objects.filter(project_id__in=set(source_of.values())):
        plans.setdefault(p.project_id, []).append(p)
    ProjectMilestone.objects.bulk_create(
        ProjectMilestone(
            project_id=pk, node_id=m.node_id, planned_date=m.planned_date, actual_date=m.actual_date
        )
        for pk, src in source_of.items()
        for m in milestones.get(src, [])
    )
    ProjectYearPlan.objects.bulk_create(
        ProjectYearPlan(
            project_id=pk,
            county_id=p.county_id,
            year=p.year,
            planned_investment=p.planned_investment,
            curve=p.curve,
            planned_nodes=p.planned_nodes,
        )
        for pk, src in source_of.items()
        for p in plans.get(src, [])
    )


def main(count: int) -> dict[str, object]:
    offices = list(Organisation.objects.filter(code__endswith="-FGJ").order_by("code"))
    assert offices, "the demo has no county 发改局"
    password = make_password(DEMO_PASSWORD)
    share = [
        count // len(offices) + (1 if i < count % len(offices) else 0) for i in range(len(offices))
    ]
    users = []
    with transaction.atomic():
        n = 0
        for office, slots in zip(offices, share, strict=True):
            county = office.parent
            assert county is not None, office.code
            _more_projects(county, ROWS_EACH * slots)
            for slot in range(slots):
                username = f"surge_{n:03d}"
                User.objects.create(
                    username=username,
                    full_name=f"高峰填报员{n:03d}",
                    organisation=office,
                    roles=int(Role.REPORTER),
                    title=f"{office.name}科员（压力测试）",
                    password=password,
                    password_changed_at=timezone.now(),
                )
                users.append({"username": username, "slot": slot, "slots": slots})
                n += 1
    return {"password": DEMO_PASSWORD, "users": users}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))))
