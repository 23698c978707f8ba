"""Reads of 督查通报, always from `Bulletin.objects.visible_to(actor)` (404 outside it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.http import Http404

from dudao.bulletins import kinds
from dudao.bulletins.content import editor_text, paragraph_text
from dudao.bulletins.models import Bulletin, BulletinFigure, BulletinKind
from dudao.bulletins.rules import AUTHOR_ROLES
from dudao.core.exceptions import DomainError
from dudao.core.periods import Period
from dudao.core.roles import Role

if TYPE_CHECKING:
    from dudao.accounts.models import User

S = Bulletin.Status
SORTS = {
    "period": ("period", "id"),
    "-period": ("-period", "-id"),
    "number": ("year", "seq", "id"),
    "-number": ("-year", "-seq", "-id"),
    "title": ("title", "id"),
    "-title": ("-title", "-id"),
    "status": ("status", "-period", "-id"),
    "-status": ("-status", "-period", "-id"),
}
DEFAULT_SORT = "-period"
CHANGES_CACHE_SECONDS = 300
# What the archive list shows (never the stored .docx or the content).
ARCHIVE_FIELDS = (
    "kind__code",
    "kind__name",
    "scope_org_id",
    "period",
    "status",
    "title",
    "number_text",
    "year",
    "seq",
    "version",
    "signed_on",
    "docx_sha256",
    "scope_org__name",
    "scope_org__short_name",
    "scope_org__kind",
    "signer__full_name",
)


@dataclass
class ArchiveFilter:
    kind: str = ""
    period: str = ""  # YYYY-MM
    status: str = ""
    number: str = ""
    q: str = ""
    sort: str = DEFAULT_SORT

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> ArchiveFilter:
        """Lenient: unknown values are ignored, never an error page."""

        def text(name: str, limit: int = 60) -> str:
            return str(params.get(name) or "").replace("\x00", "").strip()[:limit]

        kind = text("kind", 20)
        status = text("status", 12)
        sort = text("sort", 12)
        period = text("period", 7)
        try:
            from dudao.core.periods import parse_month

            period = parse_month(period).key if period else ""
        except Exception:
            period = ""
        return cls(
            kind=kind if kind in set(kind_codes()) else "",
            period=period,
            status=status if status in S.values else "",
            number=text("number", 40),
            q=text("q"),
            sort=sort if sort in SORTS else DEFAULT_SORT,
        )


def kind_codes() -> list[str]:
    return list(BulletinKind.objects.filter(is_active=True).values_list("code", flat=True))


def kind_list() -> QuerySet[BulletinKind]:
    return BulletinKind.objects.filter(is_active=True)


def visible(actor: User) -> QuerySet[Bulletin]:
    return Bulletin.objects.visible_to(actor)


def archive(actor: User, f: ArchiveFilter) -> QuerySet[Bulletin]:
    qs = visible(actor).select_related("kind", "scope_org", "signer")
    if f.kind:
        qs = qs.filter(kind__code=f.kind)
    if f.period:
        year, month = (int(x) for x in f.period.split("-"))
        qs = qs.filter(period__year=year, period__month=month)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.number:
        qs = qs.filter(number_text__icontains=f.number)
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(search_text__icontains=f.q))
    return qs.only(*ARCHIVE_FIELDS).order_by(*SORTS[f.sort])


def get_bulletin(actor: User, pk: int) -> Bulletin:
    bulletin = (
        (visible(actor).select_related("kind", "scope_org", "issuer_org", "author", "signer"))
        .filter(pk=pk)
        .first()
    )
    if bulletin is None:
        raise Http404("没有这份通报，或不在您的数据范围内。")
    return bulletin


def figures(bulletin: Bulletin) -> list[BulletinFigure]:
    return list(bulletin.figures.all())


@dataclass
class FigureView:
    figure: BulletinFigure
    current: str | None  # the value the data gives today, when it differs from the stored one

    @property
    def changed(self) -> bool:
        return self.current is not None


def figure_changes(bulletin: Bulletin, actor: User) -> dict[str, str]:
    """For an issued bulletin: figures whose data changed since generation → today's value
    (compared by fingerprint; the stored bulletin is never rewritten). Missing figures today
    read "—". Rebuilding a bulletin costs about a second at city scale, so the answer is kept
    for CHANGES_CACHE_SECONDS: a change of the data shows within that time."""
    key = f"bulletins:changes:{bulletin.pk}:{bulletin.version}"
    cached = cache.get(key)
    if cached is not None:
        return dict(cached)
    changes = _figure_changes(bulletin)
    cache.set(key, changes, CHANGES_CACHE_SECONDS)
    return changes


def _figure_changes(bulletin: Bulletin) -> dict[str, str]:
    period = Period.month(bulletin.period.year, bulletin.period.month)
    # The data as the author saw it (the signer's view when the author's account was closed).
    reader = bulletin.author if bulletin.author.is_active else bulletin.signer
    if reader is None or not reader.is_active:
        return {}
    try:
        built = kinds.content_for(reader, bulletin.kind, period, bulletin.scope_org)
    except (Http404, ValueError, DomainError):
        return {}
    stored = {f.key: f for f in bulletin.figures.all()}
    out: dict[str, str] = {}
    for key, figure in stored.items():
        now = built.figures.get(key)
        if now is None:
            out[key] = "—"
        elif now.fingerprint != figure.fingerprint:
            out[key] = now.display
    return out


def reader_blocks(bulletin: Bulletin, changes: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The content for the reader and the editor: each paragraph as pieces (text or figure)."""
    figs = {f.key: f for f in bulletin.figures.all()}
    labels = {k: f.label for k, f in figs.items()}
    changes = changes or {}

    def pieces(segments: list[dict[str, str]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for s in segments:
            if "text" in s:
                out.append({"text": s["text"]})
            else:
                fig = figs.get(s["figure"])
                out.append(
                    {
                        "figure": fig,
                        "text": fig.shown if fig else "—",
                        "current": changes.get(s["figure"]),
                    }
                )
        return out

    def walk(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for b in blocks:
            if b["type"] == "paragraph":
                out.append(
                    {
                        **b,
                        "pieces": pieces(b["segments"]),
                        "editor": editor_text(b["segments"], labels),
                        "plain": paragraph_text(
                            b["segments"], {k: f.shown for k, f in figs.items()}
                        ),
                    }
                )
            else:
                out.append(b)
        return out

    content = bulletin.content or {}
    return {
        "blocks": walk(content.get("blocks", [])),
        "attachments": [
            {"title": a["title"], "blocks": walk(a["blocks"])}
            for a in content.get("attachments", [])
        ],
    }


def can_edit(actor: User, bulletin: Bulletin) -> bool:
    org = actor.organisation
    return (
        bulletin.status in (S.DRAFT, S.RETURNED)
        and actor.has_role(*AUTHOR_ROLES)
        and org is not None
        and bulletin.issuer_org.path.startswith(org.scope_path)
    )


def can_sign(actor: User, bulletin: Bulletin) -> bool:
    if bulletin.status != S.SUBMITTED:
        return False
    if actor.has_role(Role.LEADER):
        return True
    return actor.has_role(Role.SUPERVISOR) and actor.pk != bulletin.author_id
