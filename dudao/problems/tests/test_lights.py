"""Issue 21 item 1: the ledger's lights — the same rule engine as the tasks, thresholds as data,
across 国庆 and 春节 (chinese-calendar) and an administrator's override; history written once per
change; the daily job idempotent; filters, the API, the overview and the digest by light."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dudao.audit.models import AuditEvent
from dudao.core.lights import Light
from dudao.problems import services
from dudao.problems.models import Problem, ProblemCategory, ProblemLightRecord, ProblemLightRule
from dudao.problems.tests.factories import add_after_photo, make_problem, walk
from dudao.testing import World
from dudao.workdays.models import CalendarOverride

pytestmark = pytest.mark.django_db
S = Problem.Status


def _category(unit: str) -> ProblemCategory:
    category, _ = ProblemCategory.objects.get_or_create(
        code=f"t_{unit}", defaults={"name": f"测试{unit}", "sla_days": 5, "sla_unit": unit}
    )
    return category


def _light_on(problem: Problem, day: dt.date) -> tuple[str, list[dict[str, str | None]]]:
    """Run the daily job on `day` and return the problem's stored light and reasons."""
    with time_machine.travel(day, tick=False):
        services.recompute_lights(day)
    problem.refresh_from_db()
    return problem.light, problem.light_reasons


def _workday_problem(world: World, deadline: dt.date, registered: dt.date) -> Problem:
    with time_machine.travel(registered, tick=False):
        return make_problem(world, deadline=deadline, category=_category("workday"))


def test_due_soon_counts_workdays_across_national_day(world: World) -> None:
    # Due Fri 2025-10-10: 国庆 1–8 October are rest days, Sun 28 Sep and Sat 11 Oct are worked.
    problem = _workday_problem(world, dt.date(2025, 10, 10), dt.date(2025, 9, 20))
    # 26 Sep: 28 Sep, 29 Sep, 30 Sep, 9 Oct, 10 Oct = 5 workdays left → green
    assert _light_on(problem, dt.date(2025, 9, 26))[0] == Light.GREEN
    # 29 Sep: eleven calendar days left but only 3 workdays (30 Sep, 9 Oct, 10 Oct) → yellow
    light, reasons = _light_on(problem, dt.date(2025, 9, 29))
    assert light == Light.YELLOW
    assert reasons == [
        {
            "rule": "wt_due_soon",
            "label": "距整改时限剩余 3 个工作日及以内亮黄灯",
            "metric": "remaining_workdays",
            "value": "3",
            "light": "yellow",
        }
    ]
    assert _light_on(problem, dt.date(2025, 10, 10))[0] == Light.YELLOW  # the day itself
    # Sat 11 Oct is a 调休 workday: one workday late → red by the overdue rule
    light, reasons = _light_on(problem, dt.date(2025, 10, 11))
    assert light == Light.RED
    assert [r["rule"] for r in reasons] == ["wt_overdue"]


def test_an_override_moves_the_due_soon_threshold(world: World) -> None:
    problem = _workday_problem(world, dt.date(2025, 10, 10), dt.date(2025, 9, 20))
    # Sun 28 Sep (调休上班): 29 Sep, 30 Sep, 9 Oct, 10 Oct = 4 left → green
    assert _light_on(problem, dt.date(2025, 9, 28))[0] == Light.GREEN
    CalendarOverride.objects.create(
        date=dt.date(2025, 10, 9), is_workday=False, name="地方调休", source="测试通知"
    )
    # the same day with 9 Oct a rest day: 3 left → yellow
    assert _light_on(problem, dt.date(2025, 9, 28))[0] == Light.YELLOW


def test_overdue_by_n_workdays_is_a_threshold_held_as_data(world: World) -> None:
    ProblemLightRule.objects.filter(code="wt_overdue").update(
        yellow_from=Decimal(1), red_from=Decimal(3)
    )
    problem = _workday_problem(world, dt.date(2025, 9, 30), dt.date(2025, 9, 20))
    # 8 Oct is the last day of 国庆: no workday has passed since 30 Sep, not late yet
    light, reasons = _light_on(problem, dt.date(2025, 10, 8))
    assert light == Light.YELLOW
    assert [r["rule"] for r in reasons] == ["wt_due_soon"]
    assert _light_on(problem, dt.date(2025, 10, 9))[0] == Light.YELLOW  # 1 workday late
    assert _light_on(problem, dt.date(2025, 10, 10))[0] == Light.YELLOW  # 2
    light, reasons = _light_on(problem, dt.date(2025, 10, 11))  # Sat worked: 3 → red
    assert light == Light.RED
    assert reasons[0]["value"] == "3"


def test_spring_festival_in_natural_days(world: World) -> None:
    # 2025 春节: 28 Jan – 4 Feb rest, Sun 26 Jan worked. Due Mon 27 Jan, late in 自然日.
    with time_machine.travel(dt.date(2025, 1, 10), tick=False):
        problem = make_problem(
            world, deadline=dt.date(2025, 1, 27), category=_category("calendar_day")
        )
    # 22 Jan: 23, 24, 26 (worked Sunday), 27 Jan = 4 workdays left → green
    assert _light_on(problem, dt.date(2025, 1, 22))[0] == Light.GREEN
    # 23 Jan: 24, 26, 27 Jan = 3 → yellow
    assert _light_on(problem, dt.date(2025, 1, 23))[0] == Light.YELLOW
    # 28 Jan, first day of the festival: one calendar day late → red
    light, reasons = _light_on(problem, dt.date(2025, 1, 28))
    assert light == Light.RED
    assert next(r for r in reasons if r["rule"] == "wt_overdue")["value"] == "1"


def test_returned_twice_is_yellow_and_three_times_red(world: World) -> None:
    problem = make_problem(world, deadline=timezone.localdate() + dt.timedelta(days=60))
    assert problem.light == Light.GREEN
    problem = walk(world, problem, S.APPLIED)
    for n in range(1, 4):
        problem = services.transition(
            actor=world.city_supervisor, problem=problem, action="return", note=f"第{n}次退回"
        )
        problem.refresh_from_db()
        assert problem.light == [Light.GREEN, Light.YELLOW, Light.RED][n - 1]
        if n < 3:
            add_after_photo(world, problem)
            problem = services.transition(
                actor=world.county_a_reporter, problem=problem, action="apply", note="再次整改"
            )
    assert problem.light_reasons[0]["rule"] == "wt_returned"
    history = list(problem.light_records.order_by("id").values_list("previous", "light"))
    assert history == [("", "green"), ("green", "yellow"), ("yellow", "red")]


def test_history_is_written_once_per_change_and_the_daily_job_is_idempotent(
    world: World,
) -> None:
    problem = _workday_problem(world, dt.date(2025, 10, 10), dt.date(2025, 9, 20))
    assert list(problem.light_records.values_list("previous", "light", "since")) == [
        ("", "green", dt.date(2025, 9, 20))
    ]
    runs = AuditEvent.objects.filter(action="problem.lights_recompute")
    _light_on(problem, dt.date(2025, 9, 26))
    _light_on(problem, dt.date(2025, 9, 26))  # green again: nothing new
    assert problem.light_records.count() == 1
    _light_on(problem, dt.date(2025, 9, 29))
    _light_on(problem, dt.date(2025, 9, 29))  # the same day again
    _light_on(problem, dt.date(2025, 9, 30))  # still yellow on the next day
    assert list(problem.light_records.order_by("id").values_list("previous", "light", "since")) == [
        ("", "green", dt.date(2025, 9, 20)),
        ("green", "yellow", dt.date(2025, 9, 29)),
    ]
    assert problem.light_on == dt.date(2025, 9, 30)
    assert runs.count() == 5
    last = runs.last()
    assert last is not None
    assert (last.after or {})["changed"] == 0


def test_closed_problems_have_no_light_and_are_not_evaluated(world: World) -> None:
    problem = walk(world, make_problem(world), S.CLOSED)
    result = services.recompute_lights()
    assert result.problems == 0
    problem.refresh_from_db()
    assert problem.light_label == ""


def _lit_world(world: World) -> dict[str, Problem]:
    """On 11 Oct 2025: one red (late), one yellow (due soon), one green problem of county A."""
    problems = {
        "red": _workday_problem(world, dt.date(2025, 10, 10), dt.date(2025, 9, 20)),
        "yellow": _workday_problem(world, dt.date(2025, 10, 14), dt.date(2025, 9, 20)),
        "green": _workday_problem(world, dt.date(2025, 11, 28), dt.date(2025, 9, 20)),
    }
    for light, p in problems.items():
        assert _light_on(p, dt.date(2025, 10, 11))[0] == light
    return problems


def test_the_ledger_and_the_api_filter_by_light(client: Client, world: World) -> None:
    problems = _lit_world(world)
    client.force_login(world.city_supervisor)
    with time_machine.travel(dt.date(2025, 10, 11), tick=False):
        page = client.get(reverse("problems:list"), {"light": "red"}).content.decode()
        api = client.get(reverse("api:problem_list"), {"light": "yellow"}).json()
        unknown = client.get(reverse("problems:list"), {"light": "purple"})
    assert problems["red"].code in page
    assert problems["yellow"].code not in page
    assert "红灯" in page
    assert [p["code"] for p in api["items"]] == [problems["yellow"].code]
    item = api["items"][0]
    assert (item["light"], item["light_label"]) == ("yellow", "黄灯")
    assert item["light_reasons"] == "剩余2个工作日"
    assert unknown.status_code == 200  # an unknown colour is ignored, never an error page


def test_the_detail_page_shows_the_light_and_its_history(client: Client, world: World) -> None:
    red = _lit_world(world)["red"]
    client.force_login(world.county_a_reporter)
    with time_machine.travel(dt.date(2025, 10, 11), tick=False):
        html = client.get(reverse("problems:detail", args=[red.pk])).content.decode()
    assert "红灯：已逾期1个工作日" in html
    assert 'id="light-history"' in html
    assert "2025-10-11" in html


def test_the_supervisor_overview_counts_problems_by_light(client: Client, world: World) -> None:
    _lit_world(world)
    client.force_login(world.city_supervisor)
    with time_machine.travel(dt.date(2025, 10, 11), tick=False):
        html = client.get(reverse("supervision:overview")).content.decode()
    section = html.split('id="problem-lights"')[1].split("</section>")[0]
    assert "未销号问题 3 个" in section
    assert "?status=open&amp;light=red" in section
    row = section.split("甲县人民政府")[1].split("</tr>")[0]
    assert re.findall(r'class="num">(?:<a [^>]*>)?(\d+)', row) == ["1", "1", "0", "1", "3"]


def test_the_digest_lists_the_lit_problems_by_colour(world: World) -> None:
    from dudao.supervision import jobs
    from dudao.supervision.models import Notification

    problems = _lit_world(world)
    with time_machine.travel(dt.date(2025, 10, 11), tick=False):
        jobs.send_digests(dt.date(2025, 10, 11))
    body = Notification.objects.get(user=world.county_a_reporter, kind="digest").body
    lines = body.splitlines()
    start = lines.index("问题台账亮灯 2 项：")
    assert lines[start + 1].startswith(f"【问题·红灯】{problems['red'].code}")
    assert "已逾期1个工作日" in lines[start + 1]
    assert lines[start + 2].startswith(f"【问题·黄灯】{problems['yellow'].code}")
    assert problems["green"].code not in body


def test_the_supervisor_edits_a_threshold_on_the_categories_page(
    client: Client, world: World
) -> None:
    rule = ProblemLightRule.objects.get(code="wt_due_soon")
    client.force_login(world.city_supervisor)
    page = client.get(reverse("problems:categories")).content.decode()
    assert 'id="light-rules"' in page
    assert "距整改时限剩余工作日" in page
    data = {"rule": rule.pk, "version": rule.version, "yellow_from": "5", "is_active": "on"}
    assert client.post(reverse("problems:categories"), data).status_code == 302
    rule.refresh_from_db()
    assert (rule.yellow_from, rule.version) == (Decimal(5), 2)
    assert AuditEvent.objects.filter(action="problem.light_rule_update").count() == 1
    stale = client.post(reverse("problems:categories"), data | {"yellow_from": "4"})
    assert stale.status_code == 409
    # red must be worse than yellow: for remaining workdays, red ≤ yellow
    bad = client.post(
        reverse("problems:categories"), data | {"version": 2, "red_from": "9", "yellow_from": "5"}
    )
    assert bad.status_code == 400
    assert "红灯阈值应不大于黄灯阈值" in bad.content.decode()
    client.force_login(world.county_a_reporter)
    refused = client.post(reverse("problems:categories"), data | {"version": 2})
    assert refused.status_code == 403


def test_an_imported_overdue_problem_is_lit_at_once(world: World) -> None:
    from dudao.problems.importers import import_problems
    from dudao.problems.tests.test_import_api import _row, _xlsx

    late = timezone.localdate() - dt.timedelta(days=5)
    data = _xlsx([_row("SJ-L-1", 整改时限=late), _row("SJ-L-2")])
    import_problems(data, filename="台账.xlsx", actor=world.city_supervisor, dry_run=False)
    lights = dict(Problem.objects.values_list("legacy_code", "light"))
    assert lights == {"SJ-L-1": "red", "SJ-L-2": "green"}
    assert ProblemLightRecord.objects.count() == 2
