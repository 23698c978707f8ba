"""Read-side queries of the opendata app.

Two kinds: the supervisor's (start from the user's data scope, 404 outside it) and the
public ones, which read only current releases of published projects: no login, no scope,
and nothing but what a release holds."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404

from dudao.core.numbers import format_decimal
from dudao.opendata.fields import BY_KEY
from dudao.opendata.models import Category, FieldClass, PhotoClearance, Publication, Release

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.projects.models import Project

S = Publication.Status

STAGES = {
    "preparation": "前期",
    "new": "新开工",
    "continuing": "续建",
    "completed": "竣工",
    "producing": "投产",
}


# --- public -----------------------------------------------------------------------------------
def public_releases() -> QuerySet[Release]:
    """The current release of every published project."""
    return Release.objects.filter(current_of__status=S.PUBLISHED)


@dataclass(frozen=True)
class PublicFilters:
    county: str = ""
    category: str = ""
    stage: str = ""
    year: int | None = None

    @classmethod
    def from_query(cls, query: Any) -> PublicFilters:
        """Read the filters from a query string; anything unknown or malformed is ignored."""
        year_text = str(query.get("year", "")).strip()
        year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
        stage = str(query.get("stage", ""))
        return cls(
            county=str(query.get("county", ""))[:12],
            category=str(query.get("category", ""))[:20],
            stage=stage if stage in STAGES else "",
            year=year,
        )


def filter_public(f: PublicFilters) -> QuerySet[Release]:
    qs = public_releases()
    if f.county:
        qs = qs.filter(county_key=f.county)
    if f.category:
        qs = qs.filter(category_code=f.category)
    if f.stage:
        qs = qs.filter(stage=f.stage)
    if f.year:
        qs = qs.filter(year=f.year)
    return qs.order_by("county_key", "title", "project_id")


def public_release(project_id: int) -> Release:
    """The current release of a published project; 404 when unpublished or withdrawn."""
    release = public_releases().filter(project_id=project_id).first()
    if release is None:
        raise Http404
    return release


def public_history(project_id: int) -> list[Release]:
    """Every release of a published project, newest first (dates and numbers only)."""
    return list(
        Release.objects.filter(project_id=project_id)
        .order_by("-seq")
        .only("seq", "released_at", "digest", "project_id")
    )


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    """The values the public filters can take (only those of published projects)."""
    rows = public_releases()
    counties = rows.values_list("county_key", "county_name").distinct().order_by("county_key")
    from dudao.projects.selectors import active_categories

    used = set(rows.values_list("category_code", flat=True).distinct())
    categories = [(c.code, c.name) for c in active_categories() if c.code in used]
    years = rows.exclude(year=None).values_list("year", flat=True).distinct().order_by("-year")
    return {
        "county": [(k, n) for k, n in counties],
        "category": categories,
        "stage": list(STAGES.items()),
        "year": [(str(y), f"{y}年") for y in years],
    }


@dataclass(frozen=True)
class Stamp:
    """What changes when any public output changes: the ETag and Last-Modified source."""

    etag: str
    last_modified: datetime | None


def public_stamp() -> Stamp:
    """One aggregate over the decisions: the newest decision time and how many are public.
    Every publication, withdrawal or new release changes a decision row."""
    agg = Publication.objects.aggregate(
        last=Max("decided_at"), n=Count("pk", filter=Q(status=S.PUBLISHED)), v=Max("version")
    )
    last = agg["last"]
    raw = f"{last.isoformat() if last else '-'}|{agg['n']}|{agg['v']}"
    return Stamp(etag=hashlib.sha256(raw.encode()).hexdigest()[:32], last_modified=last)


def disclosure_sections(release: Release) -> list[dict[str, Any]]:
    """The release's fields grouped by the eight categories of 国办发〔2017〕94号 (plus the
    basic facts), in catalogue order; a category with nothing public says so."""
    fields = release.payload["fields"]
    sections: dict[str, list[tuple[str, str]]] = {c.value: [] for c in Category}
    for key, value in fields.items():
        spec = BY_KEY.get(key)
        if spec is not None and value not in ("", None):
            shown = value
            if key == "total_investment":
                shown = f"{format_decimal(Decimal(value), 2)} 万元"
            sections[spec.category].append((spec.label, str(shown)))
    completion = (release.payload.get("completion") or {}).get("date")
    if completion:
        sections[Category.COMPLETION].append(("竣工（投产）日期", completion))
    return [{"key": c.value, "title": c.label, "rows": sections[c.value]} for c in Category]


# --- supervisor ------------------------------------------------------------------------------
def field_classes() -> QuerySet[FieldClass]:
    return FieldClass.objects.order_by("sort_order", "key")


def publications_of(projects: list[Project]) -> dict[int, Publication]:
    return {
        p.project_id: p
        for p in Publication.objects.filter(project__in=projects).select_related("current_release")
    }


def publication_counts(actor: User) -> dict[str, int]:
    from dudao.projects.selectors import visible_projects

    qs = Publication.objects.filter(project__in=visible_projects(actor).values("pk"))
    agg = qs.aggregate(
        published=Count("pk", filter=Q(status=S.PUBLISHED)),
        withdrawn=Count("pk", filter=Q(status=S.WITHDRAWN)),
    )
    return {"published": agg["published"], "withdrawn": agg["withdrawn"]}


def project_releases(
    actor: User, project_id: int
) -> tuple[Project, Publication | None, list[Release]]:
    """A project in the actor's scope (404 outside it), its decision and its release history."""
    from dudao.projects.selectors import get_project

    project = get_project(actor, project_id)
    pub = Publication.objects.filter(project=project).select_related("decided_by").first()
    releases = list(Release.objects.filter(project=project).order_by("-seq"))
    return project, pub, releases


@dataclass(frozen=True)
class PhotoRow:
    """One site photo of a project on the supervisor's page, with its clearance (if any)."""

    photo: Any
    clearance: PhotoClearance | None
    default_caption: str

    @property
    def cleared(self) -> bool:
        return self.clearance is not None and self.clearance.cleared

    @property
    def version(self) -> int:
        return self.clearance.version if self.clearance is not None else 0


def photo_rows(project: Project) -> list[PhotoRow]:
    """Every site photo of the project's monthly reports and whether it is cleared (the
    project was read from the actor's scope by the caller)."""
    from dudao.opendata.snapshot import default_caption
    from dudao.projects.selectors import project_photos

    photos = list(project_photos(project))
    clearances = {c.photo_id: c for c in PhotoClearance.objects.filter(project=project)}
    return [
        PhotoRow(p, clearances.get(p.pk), default_caption(p.report.year, p.report.month))
        for p in photos
    ]


def public_photo(project_id: int, photo_id: int) -> Any:
    """A photo that the current release of a published project shows and that is still
    cleared; 404 otherwise (unpublished, withdrawn, never or no longer cleared)."""
    from dudao.projects.selectors import project_photos

    release = public_release(project_id)
    listed = {row["id"] for row in release.payload.get("photos") or []}
    if photo_id not in listed:
        raise Http404
    cleared = PhotoClearance.objects.filter(
        photo_id=photo_id, project_id=project_id, cleared=True
    ).exists()
    photo = project_photos(release.project).filter(pk=photo_id).first() if cleared else None
    if photo is None:
        raise Http404
    return photo
