"""产业集聚区运行情况: the statistics module's own city paragraph, reused word for word."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from dudao.bulletins.content import Builder, FigureSpec, split_on_figures, table
from dudao.core.numbers import format_decimal, round_half_up
from dudao.stats import selectors as stats

if TYPE_CHECKING:
    pass

from dudao.bulletins.kinds.common import (
    DASH,
    HUNDRED,
    Context,
    listing,
    opening,
    requirements,
    rounding_note,
)
from dudao.bulletins.kinds.projects import (
    run_sections,
)

# --- 产业集聚区运行情况 (parks): the statistics module's own paragraph -------------------------


def build_parks(ctx: Context, b: Builder) -> None:
    summary = stats.city_summary(ctx.actor, ctx.city, ctx.period.first_day.replace(day=1))
    rows = summary.rows

    def s_opening() -> None:
        opening(ctx, b, f"{summary.parks_total}个产业集聚区{ctx.span_label}主要经济指标运行情况")

    def s_basic() -> None:
        b.heading("基本情况")
        n = b.figure(
            FigureSpec(
                "parks_total",
                "产业集聚区个数",
                str(summary.parks_total),
                Decimal(summary.parks_total),
                "个",
                "产业集聚区",
                "启用的产业集聚区",
                ctx.month_label,
                "全市",
            )
        )
        b.paragraph("全市共有产业集聚区", n, "个。")

    def s_progress() -> None:
        b.heading("主要指标运行情况")
        if not rows:
            b.paragraph("本期没有已审核的产业集聚区统计数据。")
            for note in summary.notes:
                b.paragraph(note)
            return
        for row in rows:
            d = row.as_dict()
            period = d["period_label"]
            specs: list[FigureSpec] = []

            _parks_spec(
                specs, row, period, key="value", label="", display=d["parks_value"], unit=d["unit"]
            )
            _parks_spec(
                specs,
                row,
                period,
                key="share",
                label="占全市比重",
                display=d["share_percent"],
                unit="%",
            )
            growth = d["growth"]
            if growth is not None and growth["percent"] is not None:
                _parks_spec(
                    specs,
                    row,
                    period,
                    key="growth",
                    label="增速",
                    display=growth["percent"].lstrip("-"),
                    unit="%",
                )
            if d["gap_points"] is not None:
                gap = Decimal(d["gap_points"])
                _parks_spec(
                    specs,
                    row,
                    period,
                    key="gap",
                    label="较全市增速差",
                    display=format_decimal(abs(round_half_up(gap, 1)), 1),
                    unit="个百分点",
                )
            chosen: list[FigureSpec] = []
            parts = split_on_figures(row.line.sentence, specs)
            for part in parts:
                if isinstance(part, dict):
                    chosen.append(next(s for s in specs if s.key == part["figure"]))
            for s in chosen:
                b.figure(s)
            b.paragraph(*parts)
        table_rows = []
        for row in rows:
            d = row.as_dict()
            g = d["growth"]
            table_rows.append(
                [
                    row.indicator.name,
                    d["period_label"],
                    d["parks_value"] or DASH,
                    d["city_value"] or DASH,
                    d["share_percent"] or DASH,
                    DASH if g is None or g["percent"] is None else g["percent"],
                ]
            )
        b.blocks.append(
            table(
                "产业集聚区主要指标完成情况",
                ["指标", "统计期", "集聚区合计", "全市", "占全市(%)", "同比(%)"],
                table_rows,
                "注：" + rounding_note(),
            )
        )

    def s_problems() -> None:
        b.heading("存在问题")
        falling = [
            r.indicator.name
            for r in rows
            if r.line.growth is not None and round_half_up(r.line.growth.rate * HUNDRED, 1) < 0
        ]
        lower = [
            r.indicator.name
            for r in rows
            if r.line.gap_points is not None and round_half_up(r.line.gap_points, 1) < 0
        ]
        if falling:
            b.paragraph(f"{listing(falling)}同比下降，需分析原因、加强调度。")
        if lower:
            b.paragraph(f"{listing(lower)}增速低于全市，集聚区支撑作用有待增强。")
        if not falling and not lower:
            b.paragraph("各项主要指标均未出现同比下降或增速低于全市的情况。")
        for note in summary.notes:
            b.paragraph(note)

    sections: dict[str, Callable[[], None]] = {
        "opening": s_opening,
        "basic": s_basic,
        "progress": s_progress,
        "problems": s_problems,
        "requirements": lambda: requirements(ctx, b),
    }
    run_sections(ctx, sections)


def _parks_spec(
    specs: list[FigureSpec],
    row: Any,
    period: str,
    *,
    key: str,
    label: str,
    display: str | None,
    unit: str,
) -> None:
    """Add one figure of a summary row (the statistics module's value, as it displays it)."""
    if display is None:
        return
    specs.append(
        FigureSpec(
            f"{row.indicator.code}_{key}",
            f"{row.indicator.name}{label}",
            display,
            _dec(display),
            unit,
            "统计分析",
            row.indicator.name,
            period,
            "全市产业集聚区",
            "已审核",
        )
    )


def _dec(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except ArithmeticError:
        return None
