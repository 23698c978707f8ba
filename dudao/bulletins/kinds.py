"""The four shipped kinds' sections, each sentence filled from the owning module's selectors
and the statistics engine's phrase builders (never a second computation of a figure).

A builder takes a `Context` and fills a `Builder`; the kind's `sections` (data, in the
BulletinKind row) say which sections appear and in which order. Every sentence reads right
with rising, falling, flat, zero and missing data: missing values are said in words, never
"None"; signs become 增长/下降/持平, 高于/低于.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from dudao.core.exceptions import DomainError
from dudao.core.numbers import format_decimal, format_yi, round_half_up
from dudao.core.periods import Period
from dudao.inspections import selectors as inspections
from dudao.projects import selectors as projects
from dudao.projects.rules import month_end
from dudao.stats import rules as phrases
from dudao.stats import selectors as stats
from dudao.supervision import selectors as supervision

from .content import Builder, FigureSpec, chart, split_on_figures, table

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.bulletins.models import BulletinKind
    from dudao.orgs.models import Organisation

DASH = "—"
HUNDRED = Decimal(100)
LOCKED = "月报已锁定"
UNLOCKED = "月报未锁定（数据可能变动）"


@dataclass(frozen=True)
class Context:
    actor: User
    kind: BulletinKind
    period: Period
    scope: Organisation  # the city government or one county government
    city: Organisation

    @property
    def is_city(self) -> bool:
        return self.scope.pk == self.city.pk

    @property
    def scope_name(self) -> str:
        return "全市" if self.is_city else self.scope.display_name

    @property
    def month_label(self) -> str:
        return f"{self.period.year}年{self.period.last_month}月"

    @property
    def span_label(self) -> str:
        m = self.period.last_month
        return f"{self.period.year}年1月" if m == 1 else f"{self.period.year}年1-{m}月"

    @property
    def last_day(self) -> dt.date:
        return month_end(self.period.year, self.period.last_month)


# --- shared phrases --------------------------------------------------------------------------


def count_text(n: int | None) -> str:
    return DASH if n is None else str(n)


def pct_text(points: Decimal | None) -> str:
    """A percentage given in points (45.83 → "45.8"), half-up; "—" when missing."""
    return DASH if points is None else format_decimal(round_half_up(points, 1), 1)


def rate_text(fraction: Decimal | None) -> str:
    return DASH if fraction is None else pct_text(fraction * HUNDRED)


def yi_text(wan: Decimal | None) -> str:
    return DASH if wan is None else format_yi(wan, 1)


def listing(names: list[str], limit: int = 5) -> str:
    """ "甲县、乙县和丙县" (at most ``limit`` names, then 等)."""
    shown = names[:limit]
    if not shown:
        return ""
    text = shown[0] if len(shown) == 1 else "、".join(shown[:-1]) + "和" + shown[-1]
    return text + ("等" if len(names) > limit else "")


def opening(ctx: Context, b: Builder, subject: str) -> None:
    """开头: 依据、时间、组织方式、对象范围, ending 现将…通报如下."""
    kind = ctx.kind
    basis = kind.basis.strip()
    method = kind.method.strip()
    lead = f"根据{basis}，" if basis else ""
    how = f"{method}，" if method else ""
    b.paragraph(
        f"{lead}{ctx.month_label}，{how}对{ctx.scope_name}{subject}进行了督查。"
        "现将有关情况通报如下："
    )


def requirements(ctx: Context, b: Builder) -> None:
    b.heading("下步要求")
    for text in ctx.kind.requirements or []:
        if str(text).strip():
            b.paragraph(str(text).strip())
    if not ctx.kind.requirements:
        b.paragraph("各地各单位要对照通报问题逐项整改，按时报送整改情况。")


def rounding_note() -> str:
    return "部分数据因四舍五入的原因，存在总计与分项合计不等的情况。"


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


BUILDERS: dict[str, Callable[[Context, Builder], None]] = {
    "projects": build_projects,
    "parks": build_parks,
    "supervision": build_supervision,
    "inspections": build_inspections,
}


def build(ctx: Context) -> Builder:
    builder = Builder()
    BUILDERS[ctx.kind.code](ctx, builder)
    return builder


def content_for(actor: User, kind: BulletinKind, period: Period, scope: Organisation) -> Builder:
    """The content of a bulletin of this kind, period and scope, as the actor's selectors see
    it (no write)."""
    city = stats.city_of(scope)
    if city is None:
        raise DomainError("范围不在任何市之下。", field="scope")
    return build(Context(actor, kind, period, scope, city))
