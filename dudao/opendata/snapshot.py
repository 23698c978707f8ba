"""The public snapshot of one project: only the fields whose class is public (`FieldClass`),
read through the projects module's selectors. The result is what a release stores and what
every public output (pages, OC4IDS, CSV/XLSX, API) is made from, so an internal field cannot
reach any of them."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from dudao.opendata.fields import BY_KEY
from dudao.opendata.models import FieldClass, PhotoClearance

if TYPE_CHECKING:
    from dudao.projects.models import Project, ProjectSettings

PAYLOAD_VERSION = 1


@dataclass(frozen=True)
class Period:
    """The reporting year/month and its settings, read once per batch."""

    year: int
    settings: ProjectSettings


def public_keys() -> frozenset[str]:
    """The field keys currently classed public (personal ones can never be, by constraint)."""
    keys = FieldClass.objects.filter(is_public=True, locked_internal=False).values_list(
        "key", flat=True
    )
    return frozenset(k for k in keys if k in BY_KEY and not BY_KEY[k].locked_internal)


def current_period() -> Period:
    from dudao.projects.selectors import month_settings, reporting_period

    year, month = reporting_period()
    return Period(year=year, settings=month_settings(year, month))


def county_code(project: Project) -> str:
    """The project's place as a GB/T 2260 code: the county's region, else the area group of
    its national project code (the fictional demo counties have only the latter)."""
    region = getattr(project.county, "region_id", None)
    if region:
        return str(region)
    return project.code_area or ""


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _milestones(project: Project) -> list[dict[str, Any]]:
    from dudao.projects.selectors import milestone_timeline

    return [
        {
            "node": row["node"].name,
            "role": row["node"].role,
            "planned": _iso(row["planned"]),
            "actual": _iso(row["actual"]),
        }
        for row in milestone_timeline(project)
        if row["planned"] or row["actual"]
    ]


def _investment(project: Project, period: Period) -> dict[str, Any]:
    """Cumulative planned and approved (reviewed) investment of the reporting year by month,
    in 万元 as strings (the projects module computes and rounds them)."""
    from dudao.projects.selectors import project_chart

    chart = project_chart(project, period.year, period.settings)
    return {
        "year": chart["year"],
        "months": [
            {"month": n, "planned": planned, "actual": actual}
            for n, (planned, actual) in enumerate(
                zip(chart["planned"], chart["approved"], strict=True), start=1
            )
        ],
    }


def default_caption(year: int, month: int) -> str:
    return f"{year}年{month}月现场照片"


def photos(project: Project) -> list[dict[str, Any]]:
    """The project's photos cleared for publication: id, caption, report month, upload date
    (Asia/Shanghai) and size. Never the uploader; the files carry no metadata (EXIF, GPS),
    stripped on upload by dudao.core.uploads.clean_photo."""
    from django.utils import timezone

    rows = (
        PhotoClearance.objects.filter(cleared=True, project=project, photo__report__project=project)
        .select_related("photo__report")
        .order_by("photo__report__year", "photo__report__month", "photo__created_at", "photo_id")
    )
    out = []
    for row in rows:
        photo, report = row.photo, row.photo.report
        out.append(
            {
                "id": photo.pk,
                "caption": row.caption or default_caption(report.year, report.month),
                "period": f"{report.year}年{report.month}月",
                "date": timezone.localdate(photo.created_at).isoformat(),
                "width": photo.width,
                "height": photo.height,
            }
        )
    return out


def _start_year(milestones: list[dict[str, Any]]) -> int | None:
    for row in milestones:
        if row["role"] == "start":
            when = row["actual"] or row["planned"]
            return int(when[:4]) if when else None
    return None


def build(project: Project, keys: frozenset[str], period: Period) -> dict[str, Any]:
    """The public payload of `project`: only `keys`, plus the filter facts every list needs."""
    p = project
    values: dict[str, Any] = {
        "name": p.name,
        "county": p.county.name,
        "category": p.category.name,
        "level": p.get_level_display(),
        "park": p.park.name if p.park_id and p.park else "",
        "responsible_unit": p.responsible_unit,
        "code": p.code or "",
        "description": p.description,
        "total_investment": str(p.total_investment),
        "build_nature": p.get_build_nature_display(),
        "industry_code": p.industry_code,
        "builder_name": p.builder_name,
        "builder_uscc": p.builder_uscc,
        "stage": p.get_stage_display(),
    }
    fields = {k: v for k, v in values.items() if k in keys}
    milestones = _milestones(p)
    payload: dict[str, Any] = {
        "v": PAYLOAD_VERSION,
        "project_id": p.pk,
        "fields": fields,
        "facts": {
            "county_code": county_code(p),
            "category_code": p.category.code,
            "stage_code": p.stage,
            "build_nature_code": p.build_nature,
            "start_year": _start_year(milestones),
        },
    }
    if "milestones" in keys:
        payload["milestones"] = milestones
    if "completion" in keys:
        done = [m for m in milestones if m["role"] in {"complete", "produce"} and m["actual"]]
        payload["completion"] = {"date": done[-1]["actual"] if done else None}
    if "investment" in keys:
        payload["investment"] = _investment(p, period)
    cleared = photos(p)
    if cleared:  # absent when none, so a project without photos keeps its digest
        payload["photos"] = cleared
    return payload


def digest(payload: dict[str, Any]) -> str:
    """A stable digest of the payload: an unchanged project makes no new release."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
