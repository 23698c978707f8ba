"""The four shipped kinds' sections, each sentence filled from the owning module's selectors
and the statistics engine's phrase builders (never a second computation of a figure).

A builder takes a `Context` and fills a `Builder`; the kind's `sections` (data, in the
BulletinKind row) say which sections appear and in which order. Every sentence reads right
with rising, falling, flat, zero and missing data: missing values are said in words, never
"None"; signs become 增长/下降/持平, 高于/低于.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from dudao.bulletins.content import Builder
from dudao.core.exceptions import DomainError
from dudao.core.periods import Period
from dudao.stats import selectors as stats

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.bulletins.models import BulletinKind
    from dudao.orgs.models import Organisation

from dudao.bulletins.kinds.common import (
    DASH,
    HUNDRED,
    LOCKED,
    UNLOCKED,
    Context,
    count_text,
    listing,
    opening,
    pct_text,
    rate_text,
    requirements,
    rounding_note,
    yi_text,
)
from dudao.bulletins.kinds.inspections import (
    build_inspections,
)
from dudao.bulletins.kinds.parks import (
    _dec,
    _parks_spec,
    build_parks,
)
from dudao.bulletins.kinds.projects import (
    _lock_state,
    build_projects,
    run_sections,
)
from dudao.bulletins.kinds.supervision import (
    build_supervision,
)

__all__ = [
    "BUILDERS",
    "DASH",
    "HUNDRED",
    "LOCKED",
    "UNLOCKED",
    "Context",
    "_dec",
    "_lock_state",
    "_parks_spec",
    "build",
    "build_inspections",
    "build_parks",
    "build_projects",
    "build_supervision",
    "content_for",
    "count_text",
    "listing",
    "opening",
    "pct_text",
    "rate_text",
    "requirements",
    "rounding_note",
    "run_sections",
    "yi_text",
]

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
