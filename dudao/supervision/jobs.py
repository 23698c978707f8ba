"""The daily jobs: recompute every open task's light (with history and escalation) and send
each responsible user one digest. Both are idempotent per day and run in bulk.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from dudao.accounts.models import User
from dudao.audit.services import record_event
from dudao.core.lights import Light
from dudao.problems import selectors as problem_selectors
from dudao.problems import services as problem_services
from dudao.projects import selectors as project_selectors
from dudao.supervision import notify
from dudao.supervision.evaluation import MilestoneLike, WorkdayIndex, cycle_number, evaluate_task
from dudao.supervision.models import (
    EscalationItem,
    EscalationRule,
    LightRecord,
    LightRule,
    Notification,
    SupervisionTask,
    TaskMilestone,
)
from dudao.supervision.rules import task_days_late
from dudao.supervision.services.digest import digest_sources
from dudao.workdays.calendar import format_day

logger = logging.getLogger(__name__)
BATCH = 1000
MAX_CYCLE_DAYS = max(SupervisionTask.CYCLE_DAYS.values())
DEFAULT_DUE_SOON_WORKDAYS = 3


@dataclass
class RecomputeResult:
    tasks: int = 0
    changed: int = 0
    by_light: dict[str, int] = field(default_factory=dict)
    escalations: int = 0


def _severity(light: str) -> int:
    return Light(light).severity


@transaction.atomic
def recompute_lights(today: date | None = None) -> RecomputeResult:
    """Evaluate every open task, keep the per-cycle history, raise escalation items."""
    today = today or timezone.localdate()
    rules = list(LightRule.objects.filter(subject="task", is_active=True))
    esc_rules = list(EscalationRule.objects.filter(is_active=True))
    fields = (
        "id",
        "code",
        "title",
        "status",
        "deadline",
        "assigned_on",
        "progress",
        "last_feedback_on",
        "feedback_cycle",
        "light",
        "light_reasons",
        "lead_org_id",
        "issuing_org_id",
    )
    tasks = list(SupervisionTask.objects.open().only(*fields))
    result = RecomputeResult(tasks=len(tasks))
    if not tasks:
        return result
    milestones: dict[int, list[MilestoneLike]] = defaultdict(list)
    for task_id, due, expected in TaskMilestone.objects.filter(
        task__status__in=[t for t in SupervisionTask.Status.values if t not in ("draft", "closed")]
    ).values_list("task_id", "due", "expected_progress"):
        milestones[task_id].append(MilestoneLike(due, expected))
    index = WorkdayIndex.around(today, [t.deadline for t in tasks])
    history = _recent_history(today, max((r.consecutive for r in esc_rules), default=1))

    changed: list[SupervisionTask] = []
    new_records: list[LightRecord] = []
    worse_records: list[LightRecord] = []
    touched: list[int] = []
    candidates: list[tuple[SupervisionTask, EscalationRule, int]] = []
    counts: dict[str, int] = defaultdict(int)
    for task in tasks:
        evaluation = evaluate_task(task, rules, today, index, milestones.get(task.pk, ()))
        light, reasons = evaluation.light.value, evaluation.reasons()
        counts[light] += 1
        if light != task.light or reasons != task.light_reasons:
            task.light, task.light_reasons = light, reasons
            changed.append(task)
        task.light_on = today
        cycle = cycle_number(task, today)
        known = history[task.pk]
        if cycle in known:
            rec_id, old = known[cycle]
            touched.append(rec_id)
            if _severity(light) > _severity(old):
                worse_records.append(LightRecord(pk=rec_id, light=light, reasons=reasons))
                known[cycle] = (rec_id, light)
        else:
            new_records.append(
                LightRecord(
                    task_id=task.pk,
                    cycle_no=cycle,
                    light=light,
                    first_on=today,
                    evaluated_on=today,
                    reasons=reasons,
                )
            )
            known[cycle] = (0, light)
        for rule in esc_rules:
            if _streak(known, cycle, rule) == rule.consecutive:
                candidates.append((task, rule, cycle))
    _grouped_update(
        SupervisionTask,
        [(t.pk, t.light, t.light_reasons) for t in changed],
        ("light", "light_reasons"),
    )
    _update_in_batches(SupervisionTask, [t.pk for t in tasks], light_on=today)
    LightRecord.objects.bulk_create(new_records, batch_size=BATCH)
    _grouped_update(
        LightRecord, [(r.pk, r.light, r.reasons) for r in worse_records], ("light", "reasons")
    )
    _update_in_batches(LightRecord, touched, evaluated_on=today)
    result.changed = len(changed)
    result.by_light = dict(counts)
    result.escalations = _raise_escalations(candidates, today)
    record_event(
        actor=None,
        actor_name="system",
        action="supervision.lights_recompute",
        after={
            "date": today.isoformat(),
            "tasks": result.tasks,
            "changed": result.changed,
            "by_light": result.by_light,
            "escalations": result.escalations,
        },
        object_repr=f"亮灯计算 {today.isoformat()}",
    )
    return result


def _update_in_batches(model: type[models.Model], ids: list[int], **values: object) -> None:
    for start in range(0, len(ids), BATCH):
        model._default_manager.filter(pk__in=ids[start : start + BATCH]).update(**values)


def _grouped_update(
    model: type[models.Model],
    rows: list[tuple[int, str, list[dict[str, str | None]]]],
    fields: tuple[str, str],
) -> None:
    """Write (light, reasons) per row as one UPDATE per distinct value pair: a day changes a
    few hundred distinct pairs at most, far cheaper than a CASE per row."""
    groups: dict[str, list[int]] = defaultdict(list)
    for pk, light, reasons in rows:
        groups[json.dumps([light, reasons], sort_keys=True)].append(pk)
    for key, ids in groups.items():
        light, reasons = json.loads(key)
        _update_in_batches(model, ids, **{fields[0]: light, fields[1]: reasons})


def _recent_history(today: date, cycles: int) -> dict[int, dict[int, tuple[int, str]]]:
    """task → cycle → (record id, light) for the cycles an escalation rule may look back on."""
    since = today - timedelta(days=MAX_CYCLE_DAYS * (cycles + 1) + 1)
    history: dict[int, dict[int, tuple[int, str]]] = defaultdict(dict)
    rows = LightRecord.objects.filter(evaluated_on__gte=since).values_list(
        "id", "task_id", "cycle_no", "light"
    )
    for rec_id, task_id, cycle_no, light in rows:
        history[task_id][cycle_no] = (rec_id, light)
    return history


def _streak(known: dict[int, tuple[int, str]], cycle: int, rule: EscalationRule) -> int:
    """How many consecutive cycles up to `cycle` were at least as severe as the rule's light."""
    wanted = _severity(rule.light)
    n = 0
    c = cycle
    while c in known and _severity(known[c][1]) >= wanted:
        n += 1
        c -= 1
    return n


def _raise_escalations(
    candidates: list[tuple[SupervisionTask, EscalationRule, int]], today: date
) -> int:
    """Create the items not raised yet (once per task, rule and streak), each audited."""
    if not candidates:
        return 0
    existing = set(
        EscalationItem.objects.filter(task_id__in={t.pk for t, _, _ in candidates}).values_list(
            "task_id", "rule_id", "cycle_no"
        )
    )
    raised = 0
    for task, rule, cycle in candidates:
        if (task.pk, rule.pk, cycle) in existing:
            continue
        item = EscalationItem.objects.create(
            task=task,
            rule=rule,
            action=rule.action,
            cycle_no=cycle,
            raised_on=today,
            detail=f"{rule.label}（第 {cycle - rule.consecutive + 2}–{cycle + 1} 期）",
        )
        record_event(
            actor=None,
            actor_name="system",
            action="supervision.escalate",
            obj=item,
            organisation=task.lead_org,
            after={"task": task.code, "rule": rule.code, "action": rule.action, "cycle": cycle},
            object_repr=f"{item.get_action_display()}：{task.code} {task.title}",
        )
        url = reverse("supervision:task_detail", kwargs={"pk": task.pk})
        title = f"{item.get_action_display()}：{task.title}"
        notify.to_units([task.lead_org], kind="escalation", title=title, body=item.detail, url=url)
        notify.to_units(
            [task.issuing_org],
            kind="escalation",
            title=title,
            body=item.detail,
            url=url,
            roles=notify.ISSUER_ROLES,
        )
        raised += 1
    return raised


# --- daily digest ------------------------------------------------------------------------------


@dataclass
class DigestResult:
    sent: int = 0
    skipped_existing: int = 0
    emailed: int = 0
    silent: int = 0


def email_configured() -> bool:
    """True when Django's email settings point somewhere real (not the unset SMTP default)."""
    backend = settings.EMAIL_BACKEND
    if backend != "django.core.mail.backends.smtp.EmailBackend":
        return True
    return settings.EMAIL_HOST not in ("", "localhost")


def _due_soon_window() -> int:
    rule = LightRule.objects.filter(
        subject="task", metric=LightRule.Metric.REMAINING_WORKDAYS, is_active=True
    ).first()
    if rule is None or rule.yellow_from is None:
        return DEFAULT_DUE_SOON_WORKDAYS
    return int(rule.yellow_from)


def _unit_lines(today: date) -> dict[int, list[str]]:
    """What each responsible unit must hear today: overdue and due-soon tasks, the ledger's
    problems lit red or yellow today (`problems.selectors.lit_open_problems`), then the lines
    of the sources other modules registered (`services.register_digest_source`)."""
    window = _due_soon_window()
    horizon = today + timedelta(days=window * 3 + 14)
    rows: list[tuple[str, int, str, str, date, str]] = []  # label, unit, code, title, due, late
    for org_id, code, title, deadline in (
        SupervisionTask.objects.open()
        .exclude(status=SupervisionTask.Status.APPLIED)
        .filter(deadline__lte=horizon)
        .values_list("lead_org_id", "code", "title", "deadline")
    ):
        if deadline is None:
            continue
        late = task_days_late(deadline, today)
        rows.append(("任务", org_id, code, title, deadline, f"{late} 天" if late else ""))
    index = WorkdayIndex.around(today, [row[4] for row in rows])
    overdue: dict[int, list[str]] = defaultdict(list)
    soon: dict[int, list[str]] = defaultdict(list)
    for label, org_id, code, title, deadline, late_text in rows:
        if late_text:
            overdue[org_id].append(
                f"【{label}】{code} {title}（时限 {format_day(deadline)}，已逾期 {late_text}）"
            )
        else:
            left = index.remaining(today, deadline)
            if left <= window:
                soon[org_id].append(
                    f"【{label}】{code} {title}（时限 {format_day(deadline)}，"
                    f"剩余 {left} 个工作日）"
                )
    lit = _problem_lines(today)
    returned = _returned_report_lines()
    extra: dict[int, list[str]] = defaultdict(list)
    for source in digest_sources():
        for org_id, org_lines in source(today).items():
            extra[org_id].extend(org_lines)
    lines: dict[int, list[str]] = {}
    for org_id in set(overdue) | set(soon) | set(lit) | set(returned) | set(extra):
        body = []
        if overdue[org_id]:
            body.append(f"已逾期 {len(overdue[org_id])} 项：")
            body.extend(overdue[org_id])
        if soon[org_id]:
            body.append(f"即将到期 {len(soon[org_id])} 项：")
            body.extend(soon[org_id])
        if lit[org_id]:
            body.append(f"问题台账亮灯 {len(lit[org_id])} 项：")
            body.extend(lit[org_id])
        body.extend(returned.get(org_id, []))
        body.extend(extra.get(org_id, []))
        lines[org_id] = body
    return lines


def _problem_lines(today: date) -> dict[int, list[str]]:
    """The ledger's problems lit red or yellow today (thresholds as data; `problems` owns the
    rule), red first, each with why in words."""
    lit: dict[int, list[str]] = defaultdict(list)
    for p in problem_selectors.lit_open_problems(today):
        lit[p.org_id].append(
            f"【问题·{p.light.label}】{p.code} {p.title}（时限 {format_day(p.deadline)}，"
            f"{p.reasons}）"
        )
    return lit


DIGEST_REPORT_LINES = 20


def _returned_report_lines() -> dict[int, list[str]]:
    """The county's monthly reports returned and not yet resubmitted (重大项目)."""
    out: dict[int, list[str]] = {}
    for county_id, reports in project_selectors.returned_reports_by_county().items():
        body = [f"被退回待修改的月报 {len(reports)} 份："]
        body.extend(
            f"【月报】{r.project.name} {r.year}年{r.month}月（退回原因：{r.return_reason}）"
            for r in reports[:DIGEST_REPORT_LINES]
        )
        if len(reports) > DIGEST_REPORT_LINES:
            body.append(f"……等共 {len(reports)} 份，请在“本月待办”中查看。")
        out[county_id] = body
    return out


def send_digests(today: date | None = None) -> DigestResult:
    """One digest per responsible user and day; a rerun sends nothing twice; silence when empty."""
    today = today or timezone.localdate()
    result = DigestResult()
    unit_lines = _unit_lines(today)
    if not unit_lines:
        return result
    already = set(
        Notification.objects.filter(kind="digest", digest_date=today).values_list(
            "user_id", flat=True
        )
    )
    mask = notify.role_mask(notify.RESPONSIBLE_ROLES)
    users = User.objects.filter(is_active=True).select_related("organisation")
    digests: list[Notification] = []
    url = reverse("supervision:my_tasks")
    for user in users.iterator(chunk_size=2000):
        if not user.roles & mask or user.organisation_id is None:
            continue
        org = user.organisation
        units = [org.pk]
        if org.parent_id is not None and org.scope_base == "parent":
            units.append(org.parent_id)
        body = [line for unit in units for line in unit_lines.get(unit, [])]
        if not body:
            result.silent += 1
            continue
        if user.pk in already:
            result.skipped_existing += 1
            continue
        digests.append(
            Notification(
                user=user,
                kind="digest",
                digest_date=today,
                title=f"督查提醒（{format_day(today)}）",
                body="\n".join(body),
                url=url,
            )
        )
    with transaction.atomic():
        created = Notification.objects.bulk_create(digests, batch_size=BATCH, ignore_conflicts=True)
        result.sent = len(created)
        if result.sent:
            record_event(
                actor=None,
                actor_name="system",
                action="supervision.digest_send",
                after={"date": today.isoformat(), "users": result.sent},
                object_repr=f"每日督查提醒 {today.isoformat()}",
            )
    if email_configured():
        result.emailed = _email(today)
    return result


def _email(today: date) -> int:
    """Email today's digests not yet emailed to users with an address (once each)."""
    sent = 0
    pending = Notification.objects.filter(
        kind="digest", digest_date=today, emailed_at__isnull=True
    ).select_related("user")
    for note in pending:
        if not note.user.email:
            continue
        try:
            send_mail(note.title, note.body, None, [note.user.email], fail_silently=False)
        except OSError:
            logger.exception("digest email to user %s failed", note.user_id)
            continue
        Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


def daily(
    today: date | None = None,
) -> tuple[RecomputeResult, problem_services.LightsResult, DigestResult]:
    """The daily run: task lights (escalations notify), the ledger's lights, then digests."""
    lights = recompute_lights(today)
    problem_lights = problem_services.recompute_lights(today)
    digests = send_digests(today)
    logger.info(
        "supervision daily: lights=%s problem_lights=%s digests=%s",
        lights,
        problem_lights,
        digests,
    )
    return lights, problem_lights, digests
