"""重大项目建设进展通报: figures from the projects module's analysis and quarter targets."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from dudao.bulletins.content import Builder, FigureSpec, chart, table
from dudao.projects import selectors as projects
from dudao.stats import rules as phrases

if TYPE_CHECKING:
    pass

from dudao.bulletins.kinds.common import (
    DASH,
    LOCKED,
    UNLOCKED,
    Context,
    listing,
    opening,
    pct_text,
    requirements,
    rounding_note,
    yi_text,
)

# --- 重大项目建设进展通报 (projects) ----------------------------------------------------------


def _lock_state(ctx: Context) -> str:
    county = ctx.scope if not ctx.is_city else None
    if county is not None:
        locked = projects.is_locked(county.pk, ctx.period.year, ctx.period.last_month)
    else:
        counties = projects.county_choices(ctx.actor)
        locked = bool(counties) and all(
            projects.is_locked(c.pk, ctx.period.year, ctx.period.last_month) for c in counties
        )
    return LOCKED if locked else UNLOCKED


def build_projects(ctx: Context, b: Builder) -> None:  # noqa: PLR0915 - one closure a section
    y, m = ctx.period.year, ctx.period.last_month
    analysis = projects.city_analysis(ctx.actor, y, m)
    if ctx.is_city:
        unit = analysis.total
        categories = analysis.categories
    else:
        unit = next(
            (r for r in analysis.counties if r.key == ctx.scope.pk),
            projects.UnitRow(ctx.scope.pk, ctx.scope.display_name),
        )
        categories = [
            projects.UnitRow(k.key, k.name, projects=cell.projects)
            for k in analysis.categories
            if (cell := analysis.cells.get((ctx.scope.pk, k.key))) is not None and cell.projects
        ]
    lock = _lock_state(ctx)

    def fig(key: str, label: str, display: str, raw: Decimal | int | None, unit_: str) -> Any:
        return b.figure(
            FigureSpec(
                key=key,
                label=label,
                display=display,
                raw=None if raw is None else Decimal(raw),
                unit=unit_,
                source_module="重大项目",
                source_indicator=f"重大项目分析·{label}"
                + ("（原值以万元计）" if unit_ == "亿元" else ""),
                source_period=ctx.span_label,
                source_scope=ctx.scope_name,
                lock_state=lock,
            )
        )

    sections: dict[str, Callable[[], None]] = {}

    def s_opening() -> None:
        opening(ctx, b, f"{unit.projects}个重大项目{ctx.span_label}建设进展情况")

    def s_basic() -> None:
        b.heading("基本情况")
        n = fig("projects", "项目个数", str(unit.projects), unit.projects, "个")
        if not unit.projects:
            b.paragraph(f"{y}年{ctx.scope_name}纳入调度的重大项目", n, "个，本期无调度数据。")
            return
        plan = fig("plan", "年度计划投资", yi_text(unit.plan), unit.plan, "亿元")
        parts: list[Any] = [f"{y}年{ctx.scope_name}共安排重大项目", n, "个，年度计划投资", plan]
        parts.append("亿元。")
        by_cat = [c for c in categories if c.projects]
        if by_cat:
            parts.append("其中，")
            for i, c in enumerate(by_cat):
                parts.append(("、" if i else "") + c.name)
                parts.append(
                    fig(f"cat_{c.key}", f"{c.name}项目个数", str(c.projects), c.projects, "个")
                )
                parts.append("个")
            parts.append("。")
        b.paragraph(*parts)

    def s_progress() -> None:
        b.heading("总体进展情况")
        prog = unit.progress
        done = fig("done", "累计完成投资", yi_text(unit.done), unit.done, "亿元")
        head: list[Any] = [f"截至{m}月底，{ctx.scope_name}重大项目累计完成投资", done, "亿元"]
        if prog is None or prog.rate_pct is None:
            b.paragraph(*head, "，年度计划投资尚未下达，暂不计算完成率和序时进度。")
        else:
            rate = fig("rate", "年度计划完成率", pct_text(prog.rate_pct), prog.rate_pct, "%")
            elapsed = fig("elapsed", "序时进度", pct_text(prog.elapsed_pct), prog.elapsed_pct, "%")
            ahead = -(prog.lag or Decimal(0))
            gap = phrases.gap_phrase(ahead, "序时进度")
            b.paragraph(
                *head,
                "，占年度计划的",
                rate,
                "%，序时进度为",
                elapsed,
                f"%，{gap}。",
            )
        lights = unit.lights
        total = sum(lights.values())
        if total:
            b.paragraph(
                "按红黄绿灯评价，绿灯项目",
                fig("green", "绿灯项目", str(lights["green"]), lights["green"], "个"),
                "个，黄灯项目",
                fig("yellow", "黄灯项目", str(lights["yellow"]), lights["yellow"], "个"),
                "个，红灯项目",
                fig("red", "红灯项目", str(lights["red"]), lights["red"], "个"),
                "个，未报送或无计划项目",
                fig("grey", "灰灯项目", str(lights["grey"]), lights["grey"], "个"),
                "个。",
            )
        if unit.projects:
            b.paragraph(
                f"{m}月应报送月报",
                fig("due", "应报项目", str(unit.projects), unit.projects, "个"),
                "个，已报送",
                fig("reported", "已报项目", str(unit.reported), unit.reported, "个"),
                "个，报送率",
                fig("report_rate", "报送率", pct_text(unit.report_rate), unit.report_rate, "%"),
                "%。",
            )
        if ctx.is_city:
            ranked = sorted(
                (r for r in analysis.counties if r.rank is not None), key=lambda r: r.rank or 0
            )
            if ranked:
                top = [r.name for r in ranked if r.rank == 1]
                b.paragraph(
                    f"从各县（市、区）看，完成率排名第一的是{listing(top)}，排名情况见附件1。"
                )

    def s_problems() -> None:
        b.heading("存在问题")
        lights = unit.lights
        red_yellow = lights["red"] + lights["yellow"]
        if not unit.projects:
            b.paragraph("本期无纳入调度的重大项目。")
            return
        if red_yellow:
            b.paragraph(
                "亮红灯、黄灯的项目共",
                fig("red_yellow", "红黄灯项目", str(red_yellow), red_yellow, "个"),
                "个，需重点督导。",
            )
        else:
            b.paragraph("本期无亮红灯、黄灯的项目。")
        if ctx.is_city:
            late = [
                r
                for r in analysis.counties
                if r.progress is not None and r.progress.lag is not None and r.progress.lag > 0
            ]
            if late:
                b.paragraph(
                    f"{listing([r.name for r in late])}{len(late)}个县（市、区）"
                    "投资完成率低于序时进度，要查明原因、加快推进。"
                )
            else:
                b.paragraph("各县（市、区）投资完成率均达到序时进度。")

    def s_attachments() -> None:
        if not ctx.is_city:
            return
        rows = []
        for r in sorted(analysis.counties, key=lambda r: (r.rank is None, r.rank or 0, r.name)):
            p = r.progress
            ahead = None if p is None or p.lag is None else -p.lag
            rows.append(
                [
                    DASH if r.rank is None else str(r.rank),
                    r.name,
                    str(r.projects),
                    yi_text(r.plan),
                    yi_text(r.done),
                    pct_text(None if p is None else p.rate_pct),
                    pct_text(ahead),
                ]
            )
        rate_values = [
            None if r.progress is None else r.progress.rate_pct for r in analysis.counties
        ]
        b.attachment(
            "各县（市、区）重大项目投资完成情况排名表",
            [
                table(
                    f"{ctx.span_label}各县（市、区）重大项目投资完成情况",
                    ["排名", "县（市、区）", "项目数", "年度计划", "累计完成", "完成率", "较序时"],
                    rows,
                    "注：金额单位为亿元，完成率单位为%，较序时单位为个百分点。" + rounding_note(),
                ),
                chart(
                    "各县（市、区）年度计划完成率",
                    [r.name for r in analysis.counties],
                    rate_values,
                    "%",
                ),
            ],
        )
        light_rows = [
            [
                r.name,
                str(r.lights["red"]),
                str(r.lights["yellow"]),
                str(r.lights["green"]),
                str(r.lights["grey"]),
            ]
            for r in analysis.counties
        ]
        b.attachment(
            "重大项目红黄绿灯清单",
            [
                table(
                    f"{ctx.month_label}各县（市、区）重大项目红黄绿灯情况",
                    ["县（市、区）", "红灯", "黄灯", "绿灯", "未报/无计划"],
                    light_rows,
                    "注：单位为个。",
                )
            ],
        )

    sections.update(
        opening=s_opening,
        basic=s_basic,
        progress=s_progress,
        problems=s_problems,
        requirements=lambda: requirements(ctx, b),
        attachments=s_attachments,
    )
    run_sections(ctx, sections)


def run_sections(ctx: Context, sections: dict[str, Callable[[], None]]) -> None:
    for name in ctx.kind.sections or list(sections):
        section = sections.get(name)
        if section is not None:
            section()
