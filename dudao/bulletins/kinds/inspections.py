"""观摩督导情况通报: the latest published tour."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from dudao.bulletins.content import Builder, FigureSpec, table
from dudao.inspections import selectors as inspections

if TYPE_CHECKING:
    pass

from dudao.bulletins.kinds.common import (
    DASH,
    Context,
    opening,
    requirements,
)
from dudao.bulletins.kinds.projects import (
    run_sections,
)

# --- 观摩督导情况通报 (inspections) ------------------------------------------------------------


def build_inspections(ctx: Context, b: Builder) -> None:
    tour = inspections.latest_published_tour(ctx.actor, ctx.last_day)
    if tour is None:
        opening(ctx, b, "观摩督导活动")
        b.heading("基本情况")
        b.paragraph(f"截至{ctx.month_label}，尚无已发布结果的观摩督导活动。")
        requirements(ctx, b)
        return
    summary = inspections.summary(tour)
    report = inspections.published_results(ctx.actor, tour)
    findings = inspections.finding_counts(ctx.actor, tour)

    def fig(key: str, label: str, value: Decimal | int | None, display: str, unit: str) -> Any:
        return b.figure(
            FigureSpec(
                key,
                label,
                display,
                None if value is None else Decimal(value),
                unit,
                "观摩评比",
                f"{tour.name}·{label}",
                tour.period,
                ctx.scope_name,
                "结果已发布",
            )
        )

    groups = [(g, [r for r in rows if r.rank is not None]) for g, rows in report.groups]
    groups = [(g, rows) for g, rows in groups if rows]
    several = len(groups) > 1

    def s_opening() -> None:
        opening(ctx, b, f"“{tour.name}”开展情况")

    def s_basic() -> None:
        b.heading("基本情况")
        if summary.sentence:
            b.paragraph(
                f"{tour.start_date.month}月{tour.start_date.day}日至"
                f"{tour.end_date.month}月{tour.end_date.day}日，{summary.sentence}。"
            )
        b.paragraph(
            "本次活动共观摩项目",
            fig("sites", "观摩项目", summary.project_sites, str(summary.project_sites), "个"),
            "个，参评单位",
            fig("units", "参评单位", len(report.units), str(len(report.units)), "个"),
            "个。",
        )

    def s_progress() -> None:
        b.heading("评比结果")
        if not groups:
            b.paragraph("本次活动尚无排名结果。")
            return
        for i, (group, rows) in enumerate(groups):
            first, last = rows[0], rows[-1]
            name = group.name if several else ""
            parts: list[Any] = [
                f"{name}中，" if several else "经综合评分，",
                f"{first.unit.county.display_name}位列第一，得分",
                fig(
                    f"top_score_{i}",
                    f"{name}第一名得分",
                    first.score,
                    inspections.display_score(first.score),
                    "分",
                ),
                "分",
            ]
            if last is not first:
                parts += [
                    f"；{last.unit.county.display_name}位列末位，得分",
                    fig(
                        f"last_score_{i}",
                        f"{name}末位得分",
                        last.score,
                        inspections.display_score(last.score),
                        "分",
                    ),
                    "分",
                ]
            b.paragraph(*parts, "。")
        b.paragraph("各单位排名情况见附件。")

    def s_problems() -> None:
        b.heading("发现的问题")
        total, sent = findings
        if not total:
            b.paragraph("本次观摩未记录问题。")
            return
        b.paragraph(
            "观摩中发现问题",
            fig("findings", "发现问题", total, str(total), "个"),
            "个，已转入问题台账",
            fig("findings_sent", "转入台账问题", sent, str(sent), "个"),
            "个，由责任单位限期整改。",
        )

    def s_attachments() -> None:
        rows = [
            [
                group.name,
                DASH if r.rank is None else str(r.rank),
                r.unit.county.display_name,
                inspections.display_score(r.score),
            ]
            for group, members in report.groups
            for r in members
        ]
        b.attachment(
            "观摩评比排名表",
            [
                table(
                    f"{tour.name}排名",
                    ["分组", "排名", "单位", "综合得分"],
                    rows,
                    "注：得分为百分制，按分组排名。",
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
