"""Receivers of the signals the modules below 督查督办 emit (registered in
SupervisionConfig.ready()): the notification centre tells people what happened to their work."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.dispatch import receiver
from django.urls import reverse

from dudao.accounts.models import User
from dudao.accounts.roles import Role
from dudao.projects import selectors as project_selectors
from dudao.projects.signals import report_reviewed
from dudao.supervision import notify
from dudao.supervision.models import Notification
from dudao.workdays.signals import holiday_year_confirmed

if TYPE_CHECKING:
    from dudao.projects.models import MonthlyReport


def report_recipients(report: MonthlyReport) -> list[User]:
    """Who hears of a review: the account that submitted the report; when it is gone (or the
    report never went through a recorded submission), the county's 填报员."""
    submitter = project_selectors.report_submitter_id(report)
    if submitter is not None:
        found = list(User.objects.filter(pk=submitter, is_active=True))
        if found:
            return found
    return notify.users_of_units([report.county], (Role.REPORTER,))


@receiver(report_reviewed, dispatch_uid="supervision.report_reviewed")
def notify_report_reviewed(
    sender: Any, *, actor: User, report: MonthlyReport, action: str, reason: str, **_: Any
) -> int:
    """A monthly report approved or returned: one notification to its reporter."""
    period = f"{report.year}年{report.month}月"
    if action == "return":
        kind = Notification.Kind.REPORT_RETURNED
        title = f"月报被退回：{report.project.name}（{period}）"
        body = f"{actor.full_name}退回了该月报，原因：{reason}。请修改后重新报送。"
    else:
        kind = Notification.Kind.REPORT_APPROVED
        title = f"月报已审核通过：{report.project.name}（{period}）"
        body = f"{actor.full_name}已审核通过该月报。"
    users = report_recipients(report)
    url = reverse("projects:report", kwargs={"pk": report.pk})
    Notification.objects.bulk_create(
        Notification(user=u, kind=kind, title=title[:120], body=body, url=url) for u in users
    )
    return len(users)


@receiver(holiday_year_confirmed, dispatch_uid="supervision.holiday_year_confirmed")
def recompute_task_deadlines(sender: Any, *, actor: User, year: int, **_: Any) -> int:
    """A year's holidays confirmed: the tasks' 暂定 time limits are computed again."""
    from dudao.supervision.services import recompute_provisional_deadlines

    return recompute_provisional_deadlines(actor=actor, year=year)
