"""督查通报: supervision tasks and the problem ledger."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from dudao.bulletins.content import Builder, FigureSpec, table
from dudao.supervision import selectors as supervision

if TYPE_CHECKING:
    pass

from dudao.bulletins.kinds.common import (
    DASH,
    HUNDRED,
    Context,
    listing,
    opening,
    rate_text,
    requirements,
)
from dudao.bulletins.kinds.projects import (
    run_sections,
)

# --- 督查通报 (supervision): tasks and the problem ledger ----------------------------------------


def build_supervision(ctx: Context, b: Builder) -> None:
    units = supervision.unit_performance(ctx.actor, today=ctx.last_day)
    escalations = supervision.escalation_counts(ctx.actor, ctx.period.first_day, ctx.last_day)
    problems = sum(u.problems_due for u in units)
    due = sum(u.due for u in units)
    on_time = sum(u.on_time for u in units)
    overdue = sum(u.overdue for u in units)
    returned = sum(u.returned for u in units)

    def fig(key: str, label: str, value: int | Decimal | None, display: str, unit: str) -> Any:
        return b.figure(
            FigureSpec(
                key,
                label,
                display,
                None if value is None else Decimal(value),
                unit,
                "督查督办",
                f"督查任务办理情况·{label}",
                f"截至{ctx.last_day.month}月{ctx.last_day.day}日",
                ctx.scope_name,
                "实时数据",
            )
        )

    def s_opening() -> None:
        opening(ctx, b, "督查任务和问题台账办理情况")

    def s_basic() -> None:
        b.heading("基本情况")
        if not due:
            b.paragraph(f"截至{ctx.last_day.month}月底，{ctx.scope_name}尚无到期的督查任务。")
            return
        rate = Decimal(on_time) / Decimal(due)
        b.paragraph(
            f"截至{ctx.last_day.month}月底，{ctx.scope_name}已到期督查任务",
            fig("due", "到期任务", due, str(due), "项"),
            "项，其中按期办结",
            fig("on_time", "按期办结", on_time, str(on_time), "项"),
            "项、逾期",
            fig("overdue", "逾期任务", overdue, str(overdue), "项"),
            "项，按期办结率",
            fig("on_time_rate", "按期办结率", rate * HUNDRED, rate_text(rate), "%"),
            "%；办理中被退回重办的",
            fig("returned", "退回任务", returned, str(returned), "项"),
            "项。",
        )

    def s_progress() -> None:
        b.heading("督办问责情况")
        letters = escalations.get("letter", 0)
        talks = escalations.get("interview", 0)
        b.paragraph(
            f"{ctx.month_label}，对连续亮灯的任务发出督办函",
            fig("letters", "督办函", letters, str(letters), "件"),
            "件，约谈",
            fig("interviews", "约谈", talks, str(talks), "次"),
            "次。问题台账中已到期的问题",
            fig("problems_due", "到期问题", problems, str(problems), "个"),
            "个。",
        )

    def s_problems() -> None:
        b.heading("表扬和批评")
        praised = [u.name for u in units if u.due and u.on_time == u.due and not u.overdue_open]
        criticised = [u.name for u in units if u.overdue_open]
        if praised:
            b.paragraph(f"对{listing(praised, 10)}按期办结全部到期任务，予以通报表扬。")
        else:
            b.paragraph("本期没有按期办结全部到期任务的单位。")
        if criticised:
            b.paragraph(f"对{listing(criticised, 10)}存在逾期未办结任务，予以通报批评。")
        else:
            b.paragraph("本期没有逾期未办结任务的单位。")

    def s_attachments() -> None:
        rows = [
            [
                str(u.rank) if u.due else DASH,
                u.name,
                str(u.due),
                str(u.on_time),
                str(u.overdue),
                str(u.returned),
                u.on_time_rate_text,
                u.problems_rate_text,
            ]
            for u in units
            if u.due or u.problems_due
        ]
        b.attachment(
            "各单位督查任务办理情况排名表",
            [
                table(
                    f"截至{ctx.last_day.month}月底各单位督查任务办理情况",
                    [
                        "排名",
                        "单位",
                        "到期",
                        "按期办结",
                        "逾期",
                        "退回",
                        "按期率",
                        "问题按期销号率",
                    ],
                    rows,
                    "注：按期率 = 按期办结 ÷ 到期任务；单位为项、%。",
                )
            ],
        )

    run_sections(
        ctx,
        {
            "opening": s_opening,
            "basic": s_basic,
            "progress": s_progress,
            "problems": s_problems,
            "requirements": lambda: requirements(ctx, b),
            "attachments": s_attachments,
        },
    )
