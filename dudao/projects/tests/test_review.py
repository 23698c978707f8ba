"""The reviewer's queue (plan, year-to-date, completion, light, warnings), bulk approval, the
next pending report after a review, the reporter's notifications, and locking a month that
still has reports awaiting review (the confirmation step, the month picker)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from dudao.audit.models import AuditEvent
from dudao.projects import selectors, services
from dudao.projects.models import MonthLock, MonthlyReport
from dudao.projects.testing import make_project, report
from dudao.supervision import jobs
from dudao.supervision.models import Notification
from dudao.testing import World

pytestmark = pytest.mark.django_db
S = MonthlyReport.Status


def texts(response: object) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]  # type: ignore[attr-defined]


def test_the_queue_shows_plan_completion_light_and_warnings(client: Client, world: World) -> None:
    on_track = make_project(world, plan=Decimal("1200"))
    behind = make_project(world, plan=Decimal("1200"))
    report(world, on_track, 3, "300", status=S.SUBMITTED)
    report(world, behind, 3, "60", status=S.SUBMITTED, has_problem=True, problem_text="征地未完成")
    rows = {row.report.project_id: row for row in selectors.review_queue(world.county_a_reviewer)}
    # 300 of 1200 by March: 25.00 % against 序时 25.00 % → green; 60: 5.00 %, 20 points behind
    # (yellow from 10, red above 30: the module's default thresholds).
    assert rows[on_track.pk].plan == Decimal("1200")
    assert rows[on_track.pk].light.progress.rate_pct == Decimal("25.00")
    assert rows[on_track.pk].light.light == "green"
    assert rows[on_track.pk].flags == ["逾期报送"]  # March, submitted in December
    assert rows[behind.pk].light.progress.rate_pct == Decimal("5.00")
    assert rows[behind.pk].light.light == "yellow"
    assert rows[behind.pk].flags == ["逾期报送", "存在问题", "进度滞后"]
    client.force_login(world.county_a_reviewer)
    page = client.get(reverse("projects:due") + "?period=2026-03").content.decode()
    for shown in ("25.00%", "5.00%", "进度滞后", "存在问题", "1200.00"):
        assert shown in page
    assert 'name="report"' in page  # the boxes of the bulk approval


def test_the_queue_stays_in_the_reviewers_scope(world: World) -> None:
    other = make_project(world, county=world.county_b)
    report(world, other, 3, "10", status=S.SUBMITTED, reporter=world.county_b_reporter)
    assert selectors.review_queue(world.county_a_reviewer) == []


def test_bulk_approve_reports_each_result(client: Client, world: World) -> None:
    a, b, c = (make_project(world) for _ in range(3))
    ra = report(world, a, 3, "100", status=S.SUBMITTED)
    rb = report(world, b, 3, "100", status=S.SUBMITTED)
    rc = report(world, c, 3, "100", status=S.APPROVED)  # approved meanwhile by a colleague
    client.force_login(world.county_a_reviewer)
    response = client.post(
        reverse("projects:review_bulk"),
        {
            "report": [str(ra.pk), str(rb.pk), str(rc.pk), "999999"],
            f"version-{ra.pk}": str(ra.version),
            f"version-{rb.pk}": str(rb.version),
            f"version-{rc.pk}": str(rc.version),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:due")
    said = texts(response)
    assert said[0] == "已审核通过 2 份月报。"
    assert said[1].startswith("2 份未能审核通过——")
    assert f"{c.name}（2026年3月）：月报状态为“已审核”，不能审核通过。" in said[1]
    assert "1 份月报不存在或不在您的范围内" in said[1]
    assert AuditEvent.objects.filter(action="project.report_approve").count() == 3  # rc's own
    assert {r.status for r in MonthlyReport.objects.filter(pk__in=[ra.pk, rb.pk])} == {S.APPROVED}


def test_bulk_approve_needs_a_choice_and_a_reviewer(client: Client, world: World) -> None:
    client.force_login(world.county_a_reviewer)
    assert texts(client.post(reverse("projects:review_bulk"), {})) == ["请先勾选要审核通过的月报。"]
    client.force_login(world.county_a_reporter)
    assert client.post(reverse("projects:review_bulk"), {"report": ["1"]}).status_code == 403


def test_after_a_review_the_next_pending_report_opens(client: Client, world: World) -> None:
    first, second = make_project(world), make_project(world)
    r1 = report(world, first, 3, "100", status=S.SUBMITTED)
    r2 = report(world, second, 3, "100", status=S.SUBMITTED)
    client.force_login(world.county_a_reviewer)
    url = reverse("projects:report_action", kwargs={"pk": r1.pk})
    response = client.post(url, {"action": "approve", "version": r1.version, "next": "queue"})
    assert response["Location"] == reverse("projects:report", kwargs={"pk": r2.pk})
    url = reverse("projects:report_action", kwargs={"pk": r2.pk})
    response = client.post(
        url, {"action": "return", "version": r2.version, "reason": "数字有误", "next": "queue"}
    )
    assert response["Location"] == reverse("projects:due")  # nothing left
    assert "待审核的月报已全部处理完。" in texts(response)
    # A refused action stays on the report, with the reason.
    response = client.post(url, {"action": "approve", "version": "1", "next": "queue"})
    assert response["Location"] == reverse("projects:report", kwargs={"pk": r2.pk})


def test_the_reporter_is_notified_of_approvals_and_returns(world: World) -> None:
    p, q = make_project(world), make_project(world)
    r1 = report(world, p, 3, "100", status=S.SUBMITTED)
    r2 = report(world, q, 3, "100", status=S.SUBMITTED)
    services.approve_report(actor=world.county_a_reviewer, report=r1)
    services.return_report(actor=world.county_a_reviewer, report=r2, reason="附件缺失")
    notes = Notification.objects.filter(user=world.county_a_reporter).order_by("pk")
    assert [(n.kind, n.title) for n in notes] == [
        ("report_ok", f"月报已审核通过：{p.name}（2026年3月）"),
        ("report_back", f"月报被退回：{q.name}（2026年3月）"),
    ]
    assert "原因：附件缺失" in notes[1].body
    assert notes[1].url == reverse("projects:report", kwargs={"pk": r2.pk})
    # Only the reporter who submitted: not the reviewer, not the other county.
    assert not Notification.objects.exclude(user=world.county_a_reporter).exists()


def test_the_daily_digest_lists_returned_reports(world: World) -> None:
    p = make_project(world)
    r = report(world, p, 3, "100", status=S.SUBMITTED)
    services.return_report(actor=world.county_a_reviewer, report=r, reason="附件缺失")
    jobs.send_digests()
    digest = Notification.objects.get(user=world.county_a_reporter, kind="digest")
    assert "被退回待修改的月报 1 份：" in digest.body
    assert f"【月报】{p.name} 2026年3月（退回原因：附件缺失）" in digest.body
    # Resubmitted: no longer in tomorrow's digest.
    services.submit_report(actor=world.county_a_reporter, report=r)
    assert selectors.returned_reports_by_county() == {}


def test_a_locked_month_shows_no_live_review_button(client: Client, world: World) -> None:
    p = make_project(world)
    r = report(world, p, 3, "100", status=S.SUBMITTED)
    # A lock taken before this rule existed (or straight in the database) left it pending.
    MonthLock.objects.create(county=None, year=2026, month=3, locked_by=world.city_supervisor)
    client.force_login(world.county_a_reviewer)
    page = client.get(reverse("projects:report", kwargs={"pk": r.pk})).content.decode()
    assert "审核通过</button>" not in page
    assert "2026年3月已锁定，该月报不能再审核" in page
    queue = client.get(reverse("projects:due")).content.decode()
    assert f'value="{r.pk}"' not in queue
    assert "不能再审核" in queue
    assert "审核通过所选月报" not in queue  # nothing left that could be approved
    assert selectors.next_pending(world.county_a_reviewer, r) is None


def test_the_lock_page_uses_a_month_picker(client: Client, world: World) -> None:
    client.force_login(world.city_supervisor)
    page = client.get(reverse("projects:locks")).content.decode()
    assert 'type="month" name="period"' in page
    bad = client.post(reverse("projects:locks"), {"period": "2026-13"})
    assert "月份应为 1–12" in bad.content.decode()
    assert not MonthLock.objects.exists()


def _lock(client: Client, **extra: str) -> object:
    return client.post(reverse("projects:locks"), {"period": "2026-03", "county": "", **extra})


def test_locking_a_month_with_pending_reports_asks_first(client: Client, world: World) -> None:
    p = make_project(world)
    r = report(world, p, 3, "100", status=S.SUBMITTED)
    client.force_login(world.city_supervisor)
    page = _lock(client).content.decode()  # type: ignore[attr-defined]
    assert "2026年3月（全市）还有 1 份月报待审核" in page
    assert p.name in page
    assert not MonthLock.objects.exists()
    # Wait: nothing locked, nothing changed.
    assert texts(_lock(client, pending="wait")) == ["未锁定2026年3月：等待审核员审核完毕后再锁定。"]
    assert not MonthLock.objects.exists()
    # Return without a reason: asked again, with the error.
    again = _lock(client, pending="return").content.decode()  # type: ignore[attr-defined]
    assert "退回必须填写原因。" in again
    assert not MonthLock.objects.exists()
    # Return with a reason: returned (the reporter hears of it), then locked.
    done = _lock(client, pending="return", reason="请补充佐证材料")
    assert texts(done) == ["2026年3月已锁定（锁定前一并退回 1 份月报）。"]
    r.refresh_from_db()
    assert (r.status, r.return_reason) == (S.RETURNED, "请补充佐证材料")
    assert MonthLock.objects.filter(year=2026, month=3, is_active=True).exists()
    assert Notification.objects.filter(user=world.county_a_reporter, kind="report_back").exists()


def test_locking_can_approve_the_pending_reports(client: Client, world: World) -> None:
    p = make_project(world)
    r = report(world, p, 3, "100", status=S.SUBMITTED)
    client.force_login(world.city_supervisor)
    done = _lock(client, pending="approve")
    assert texts(done) == ["2026年3月已锁定（锁定前一并审核通过 1 份月报）。"]
    r.refresh_from_db()
    assert r.status == S.APPROVED


def test_the_api_refuses_a_lock_over_pending_reports(client: Client, world: World) -> None:
    p = make_project(world)
    report(world, p, 3, "100", status=S.SUBMITTED)
    client.force_login(world.city_supervisor)
    response = client.post(
        reverse("api:projects_lock"), {"period": "2026-03"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "还有 1 份月报已报送、尚未审核" in response.json()["error"]["message"]


def test_an_approval_locks_the_report_row_only(world: World) -> None:
    """FOR UPDATE OF the report: the joined project and county rows stay unlocked, so a
    concurrent import into the same county (its foreign-key checks take KEY SHARE on them) is
    not blocked into a deadlock with the audit chain's lock (bench/crash.py on PostgreSQL)."""
    from dudao.projects.services._base import _reports_for_update

    query = _reports_for_update(world.county_a_reviewer).query
    assert query.select_for_update
    assert query.select_for_update_of == ("self",)
