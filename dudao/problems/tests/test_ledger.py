"""The ledger: filters, overdue, the export of exactly what is shown, per-unit statistics, and
the pages' workflow forms."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from dudao.problems import services
from dudao.problems.exports import LEDGER_COLUMNS
from dudao.problems.models import Problem
from dudao.problems.rules import lateness, overdue_q
from dudao.problems.selectors import LedgerFilter, list_problems, unit_statistics
from dudao.problems.tests.factories import (
    add_after_photo,
    category,
    make_problem,
    photo_bytes,
    walk,
)
from dudao.testing import World

pytestmark = pytest.mark.django_db
S = Problem.Status


def _overdue(problem: Problem, deadline: dt.date) -> Problem:
    """Put a past deadline on a problem (as an import of a legacy ledger does)."""
    Problem.objects.filter(pk=problem.pk).update(deadline=deadline)
    problem.refresh_from_db()
    return problem


# --- lateness ----------------------------------------------------------------------------------


def test_lateness_in_workdays_and_natural_days() -> None:
    fri = dt.date(2025, 9, 26)
    assert lateness(fri, fri, "workday") == 0
    assert lateness(fri, dt.date(2025, 9, 27), "workday") == 0  # Saturday: no workday passed
    assert lateness(fri, dt.date(2025, 9, 28), "workday") == 1  # Sunday 9/28 is a 调休 workday
    assert lateness(fri, dt.date(2025, 9, 27), "calendar_day") == 1
    assert lateness(dt.date(2025, 9, 30), dt.date(2025, 10, 8), "workday") == 0  # 国庆+中秋
    assert lateness(dt.date(2025, 9, 30), dt.date(2025, 10, 9), "workday") == 1
    assert lateness(dt.date(2025, 9, 30), dt.date(2025, 10, 9), "calendar_day") == 9


def test_the_sql_overdue_rule_agrees_with_lateness(world: World, time_machine: object) -> None:
    time_machine.move_to(dt.datetime(2025, 9, 20, 2, tzinfo=dt.UTC), tick=False)  # type: ignore[attr-defined]
    due_friday = [
        make_problem(world, deadline=dt.date(2025, 9, 26), category=category(code))
        for code in ("approval", "funding")
    ]
    saturday = dt.date(2025, 9, 27)
    overdue = set(Problem.objects.filter(overdue_q(saturday)).values_list("pk", flat=True))
    assert overdue == {due_friday[1].pk}  # 自然日: late on Saturday; 工作日: not yet
    for p in due_friday:
        assert (lateness(p.deadline, saturday, p.deadline_unit) > 0) == (p.pk in overdue)


# --- the ledger page ---------------------------------------------------------------------------


@pytest.fixture
def ledger(world: World) -> dict[str, Problem]:
    today = timezone.localdate()
    items = {
        "a_land": make_problem(
            world, world.county_a, category=category("land"), severity="critical"
        ),
        "a_park": make_problem(
            world,
            world.park_a,
            source="inspection",
            title="园区污水管网未接通",
            county=world.county_a,
        ),
        "b_funding": make_problem(world, world.county_b, title="乙县资金未拨付"),
        "a_late": _overdue(
            make_problem(world, world.county_a, title="甲县逾期问题"), today - dt.timedelta(days=12)
        ),
    }
    items["a_closed"] = walk(
        world, make_problem(world, world.county_a, title="已整改问题"), S.CLOSED
    )
    return items


def test_the_ledger_filters_by_each_field(world: World, ledger: dict[str, Problem]) -> None:
    sup = world.city_supervisor

    def codes(**kw: object) -> set[str]:
        f = LedgerFilter.from_query({k: str(v) for k, v in kw.items()})
        return set(list_problems(sup, f).values_list("title", flat=True))

    assert codes(source="inspection") == {"园区污水管网未接通"}
    assert codes(category=category("land").pk) == {ledger["a_land"].title}
    # the county is derived from the responsible unit when not given
    assert codes(county=world.county_a.pk) == {
        ledger["a_land"].title,
        "园区污水管网未接通",
        "甲县逾期问题",
        "已整改问题",
    }
    assert codes(county=world.county_b.pk) == {"乙县资金未拨付"}
    assert codes(responsible=world.county_b.pk) == {"乙县资金未拨付"}
    # a unit filter includes its sub-units (county A with its park committee)
    assert "园区污水管网未接通" in codes(responsible=world.county_a.pk)
    assert codes(status="closed") == {"已整改问题"}
    assert "已整改问题" not in codes(status="open")
    assert codes(severity="critical") == {ledger["a_land"].title}
    assert codes(overdue=1) == {"甲县逾期问题"}
    assert "甲县逾期问题" not in codes(overdue=0)
    assert codes(q="污水") == {"园区污水管网未接通"}
    assert codes(park=999999) == set()


def test_the_ledger_page_shows_the_scope_and_the_export_matches_it(
    client: Client, world: World, ledger: dict[str, Problem]
) -> None:
    client.force_login(world.county_a_reporter)
    response = client.get(reverse("problems:list"), {"status": "open"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "乙县资金未拨付" not in html  # another county
    head = html.split('id="problems"')[1].split("</thead>")[0]
    headers = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th[^>]*>(.*?)</th>", head)]
    assert headers == [c.header for c in LEDGER_COLUMNS]
    shown = re.findall(r'class="mono"><a href="/problems/\d+/">(WT\d{4}-\d{5})</a>', html)
    assert "逾期12天" in html

    export = client.get(reverse("problems:export"), {"status": "open"})
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    book = CalamineWorkbook.from_filelike(io.BytesIO(export.content))
    rows = book.get_sheet_by_name("问题台账").to_python()
    assert rows[0] == headers
    assert [r[0] for r in rows[1:]] == shown
    late_row = next(r for r in rows if r[1] == "甲县逾期问题")
    assert late_row[-1] == "逾期12天"


def test_the_ledger_page_links_every_problem(client: Client, world: World) -> None:
    # Its query count: dudao/core/tests/test_query_counts.py.
    for n in range(30):
        make_problem(world, world.county_a if n % 2 else world.park_a, title=f"问题{n}")
    client.force_login(world.city_supervisor)
    response = client.get(reverse("problems:list"), {"status": "open", "county": "", "q": ""})
    assert response.status_code == 200
    assert response.content.decode().count('href="/problems/') >= 30 * 2


def test_per_unit_statistics(world: World, ledger: dict[str, Problem]) -> None:
    returned = make_problem(world, world.county_a, title="退回过的问题")
    returned = walk(world, returned, S.APPLIED)
    services.transition(
        actor=world.city_supervisor, problem=returned, action="return", note="不合格"
    )
    units = {u.name: u for u in unit_statistics(world.city_supervisor)}
    a = units["甲县人民政府"]
    assert (a.total, a.open, a.overdue, a.closed, a.closed_on_time, a.returned) == (
        4,
        3,
        1,
        1,
        1,
        1,
    )
    assert a.on_time_rate_display == "100.0%"
    assert units["甲县产业集聚区管理委员会"].total == 1
    rolled = {
        u.name: u
        for u in unit_statistics(world.city_supervisor, rollup_to=[world.county_a, world.county_b])
    }
    assert rolled["甲县人民政府"].total == 5  # with the park committee's problem
    assert rolled["乙县人民政府"].open == 1
    # a county reviewer sees its own subtree only
    mine = unit_statistics(world.county_a_reviewer)
    assert {u.name for u in mine} == {"甲县人民政府", "甲县产业集聚区管理委员会"}


def test_the_statistics_change_when_a_problem_is_closed(client: Client, world: World) -> None:
    problem = walk(world, make_problem(world, world.county_a), S.APPLIED)
    client.force_login(world.city_supervisor)
    before = client.get(reverse("api:problem_unit_stats")).json()
    a = next(u for u in before if u["name"] == "甲县人民政府")
    assert (a["open"], a["closed"]) == (1, 0)
    services.transition(actor=world.city_supervisor, problem=problem, action="close", note="好")
    after = client.get(reverse("api:problem_unit_stats")).json()
    a = next(u for u in after if u["name"] == "甲县人民政府")
    assert (a["open"], a["closed"], a["closed_on_time"], a["on_time_rate"]) == (0, 1, 1, "100.0%")


# --- the pages' forms ----------------------------------------------------------------------------


def test_register_a_problem_through_the_page(client: Client, world: World) -> None:
    client.force_login(world.city_supervisor)
    assert client.get(reverse("problems:create")).status_code == 200
    deadline = timezone.localdate() + dt.timedelta(days=20)
    response = client.post(
        reverse("problems:create"),
        {
            "source": "supervision",
            "category": category("utilities").pk,
            "title": "项目供电线路未接入",
            "severity": "serious",
            "responsible_org": world.county_a.pk,
            "deadline": deadline.isoformat(),
        },
    )
    problem = Problem.objects.get(title="项目供电线路未接入")
    assert response.status_code == 302
    assert response["Location"] == reverse("problems:detail", args=[problem.pk])
    assert problem.deadline == deadline
    assert problem.deadline_unit == "workday"


def test_a_past_deadline_is_shown_on_the_form(client: Client, world: World) -> None:
    client.force_login(world.city_supervisor)
    response = client.post(
        reverse("problems:create"),
        {
            "source": "supervision",
            "category": category("funding").pk,
            "title": "过去的时限",
            "severity": "general",
            "responsible_org": world.county_a.pk,
            "deadline": "2020-01-01",
        },
    )
    assert response.status_code == 200
    assert "整改时限（2020-01-01）不能早于今天" in response.content.decode()
    assert not Problem.objects.filter(title="过去的时限").exists()


def test_the_workflow_through_the_pages(client: Client, world: World) -> None:
    problem = make_problem(world, world.county_a)
    detail = reverse("problems:detail", args=[problem.pk])
    reporter = Client()
    reporter.force_login(world.county_a_reporter)
    page = reporter.get(detail).content.decode()
    assert "签收并开始整改" in page
    assert "核查通过" not in page
    r = reporter.post(
        reverse("problems:transition", args=[problem.pk]), {"action": "start", "version": 1}
    )
    assert r.status_code == 302
    photo = io.BytesIO(photo_bytes())
    photo.name = "整改后.jpg"
    r = reporter.post(
        reverse("problems:evidence_upload", args=[problem.pk]), {"stage": "after", "file": photo}
    )
    assert r.status_code == 302
    # a stale form (version 1) is refused with 409 and the reason
    r = reporter.post(
        reverse("problems:transition", args=[problem.pk]),
        {"action": "apply", "version": 1, "note": "已完成"},
    )
    assert r.status_code == 409
    assert "已被他人修改" in r.content.decode()
    r = reporter.post(
        reverse("problems:transition", args=[problem.pk]),
        {"action": "apply", "version": 2, "note": "已完成"},
    )
    assert r.status_code == 302
    # the county reviewer (same unit) may not verify: 403 with the Chinese reason
    reviewer = Client()
    reviewer.force_login(world.county_a_reviewer)
    r = reviewer.post(
        reverse("problems:transition", args=[problem.pk]),
        {"action": "close", "version": 3, "note": "自己核查"},
    )
    assert r.status_code == 403
    assert "核查必须由整改单位以外的单位进行" in r.content.decode()
    client.force_login(world.city_supervisor)
    r = client.post(
        reverse("problems:transition", args=[problem.pk]),
        {"action": "close", "version": 3, "note": "现场核查属实"},
    )
    assert r.status_code == 302
    problem.refresh_from_db()
    assert problem.status == S.CLOSED
    page = client.get(detail).content.decode()
    for step in ("交办", "签收并开始整改", "上传佐证材料", "申请销号", "核查通过，销号"):
        assert step in page
    evidence = problem.evidence.get()
    image = client.get(reverse("problems:evidence_file", args=[problem.pk, evidence.pk]))
    assert image.status_code == 200
    assert image["Content-Type"] == "image/jpeg"
    other = Client()
    other.force_login(world.county_b_reporter)
    assert (
        other.get(reverse("problems:evidence_file", args=[problem.pk, evidence.pk])).status_code
        == 404
    )


def test_an_oversized_upload_is_refused_on_the_page(client: Client, world: World) -> None:
    problem = make_problem(world)
    client.force_login(world.county_a_reporter)
    big = io.BytesIO(b"%PDF-" + b"0" * (services.MAX_UPLOAD_BYTES + 1))
    big.name = "报告.pdf"
    r = client.post(
        reverse("problems:evidence_upload", args=[problem.pk]), {"stage": "before", "file": big}
    )
    assert r.status_code == 422
    assert "文件过大（上限 20 MB）" in r.content.decode()
    assert not problem.evidence.exists()
    add_after_photo(world, problem)  # the normal path still works


def test_edit_with_a_stale_version_is_409(client: Client, world: World) -> None:
    problem = make_problem(world)
    services.update_problem(actor=world.city_supervisor, problem=problem, title="已改过")
    client.force_login(world.city_supervisor)
    data = {
        "source": "supervision",
        "category": problem.category_id,
        "title": "旧页面提交",
        "severity": "general",
        "responsible_org": world.county_a.pk,
        "deadline": problem.deadline.isoformat(),
        "version": 1,
    }
    r = client.post(reverse("problems:edit", args=[problem.pk]), data)
    assert r.status_code == 409
    assert "已被他人修改" in r.content.decode()
    problem.refresh_from_db()
    assert problem.title == "已改过"


def test_the_supervisor_sets_a_categorys_time_limit(client: Client, world: World) -> None:
    client.force_login(world.city_supervisor)
    land = category("land")
    r = client.post(
        reverse("problems:categories"),
        {"category": land.pk, "sla_days": 45, "sla_unit": "workday", "is_active": "on"},
    )
    assert r.status_code == 302
    land.refresh_from_db()
    assert (land.sla_days, land.sla_unit, land.sla_label) == (45, "workday", "45个工作日")
    client.force_login(world.county_a_reviewer)
    r = client.post(
        reverse("problems:categories"), {"category": land.pk, "sla_days": 1, "sla_unit": "workday"}
    )
    assert r.status_code == 403


@pytest.mark.parametrize(
    ("actor", "shown"),
    [
        ("county_a_reporter", True),
        ("city_leader", True),
        ("judge", True),
        ("sysadmin", False),
        ("auditadmin", False),
    ],
)
def test_the_menu_shows_the_ledger_to_business_roles_only(
    client: Client, world: World, actor: str, shown: bool
) -> None:
    client.force_login(world.actor(actor))  # type: ignore[arg-type]
    labels = [i["label"] for i in client.get(reverse("home")).context["nav_items"]]
    assert ("问题台账" in labels) is shown
    expected = 200 if shown else 403
    assert client.get(reverse("problems:list")).status_code == expected
