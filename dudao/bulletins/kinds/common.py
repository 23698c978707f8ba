"""What every kind shares: the context of one bulletin and the phrases for counts, rates and
amounts, the opening and the 下步要求."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from dudao.bulletins.content import Builder
from dudao.core.numbers import format_decimal, format_yi, round_half_up
from dudao.core.periods import Period
from dudao.projects.rules import month_end

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
