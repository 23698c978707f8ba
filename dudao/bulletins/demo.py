"""Demo bulletins of the fictional 示范市 (演示数据): a year of issued documents made from the demo
data through the same content builders and workflow as production — 重大项目建设进展通报 and
产业集聚区运行情况 (the speech's paragraph, a 运行通报 第N期) every month, the 督查通报 every
quarter, the 观摩督导情况通报 after the latest published tour — each drafted by the demo
督查员, sent and signed by the demo 领导 about ten days after its month; the current reporting
month's 重大项目 bulletin is left as a draft awaiting review. City scale only.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dudao.bulletins import services
from dudao.bulletins.models import Bulletin
from dudao.core.periods import Period
from dudao.demo.registry import DemoContext, generator
from dudao.projects.selectors import reporting_period

MONTHS = 12
QUARTER_ENDS = frozenset({3, 6, 9, 12})


def _months(year: int, month: int, n: int) -> list[Period]:
    """The n months before year-month, oldest first."""
    out: list[Period] = []
    p = Period.month(year, month)
    for _ in range(n):
        p = p.previous_month()
        out.append(p)
    return list(reversed(out))


def _signed_at(period: Period) -> dt.datetime:
    nxt = period.next_month()
    planned = dt.datetime(
        nxt.year, nxt.last_month, 10, 10, 30, tzinfo=timezone.get_current_timezone()
    )
    return min(planned, timezone.now())


def _issue(ctx: DemoContext, kind: str, period: Period) -> Bulletin:
    author, leader = ctx.users["demo_supervisor"], ctx.users["demo_leader"]
    b = services._make_draft(actor=author, kind=kind, period=period)
    b = services._submit(actor=author, bulletin=b, version=b.version, notify=False)
    signed = _signed_at(period)
    b = services._approve(actor=leader, bulletin=b, version=b.version, now=signed)
    Bulletin.objects.filter(pk=b.pk).update(
        created_at=signed - dt.timedelta(days=3),
        submitted_at=signed - dt.timedelta(days=1),
        updated_at=signed,
    )
    return b


@generator(order=90, name="督查通报")
def bulletins(ctx: DemoContext) -> None:
    if ctx.is_province or "demo_supervisor" not in ctx.users:
        return
    year, month = reporting_period()
    issued = 0
    for period in _months(year, month, MONTHS):
        _issue(ctx, "projects", period)
        _issue(ctx, "parks", period)
        issued += 2
        if period.last_month in QUARTER_ENDS:
            _issue(ctx, "supervision", period)
            issued += 1
    _issue(ctx, "inspections", Period.month(year, month))
    issued += 1
    services._make_draft(
        actor=ctx.users["demo_supervisor"], kind="projects", period=Period.month(year, month)
    )
    ctx.counts["督查通报"] = issued + 1
    ctx.log(f"督查通报：已签发 {issued} 份，待审草稿 1 份")
