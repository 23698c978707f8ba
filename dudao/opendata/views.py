"""The supervisor's publication pages (behind login, under /opendata/): which projects are
public (one by one, or every project matching a filter at once), each project's release
history and withdrawal, and which fields are public."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from dudao.core.exceptions import DomainError
from dudao.core.http import AuthedHttpRequest, paginate, query_without_page
from dudao.opendata import selectors, services

if TYPE_CHECKING:
    from dudao.projects.models import Project

MAX_BULK = 5000


def _version(request: AuthedHttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def _matching(request: AuthedHttpRequest) -> QuerySet[Project]:
    from dudao.projects.selectors import ProjectFilters, filter_projects, reporting_period

    year, month = reporting_period()
    return filter_projects(request.user, ProjectFilters.from_query(request.GET), year, month)


def publication_list(request: AuthedHttpRequest) -> HttpResponse:
    from dudao.projects.selectors import active_categories, county_choices

    page = paginate(request, _matching(request))
    projects = list(page.object_list)
    pubs = selectors.publications_of(projects)
    rows = [(p, pubs.get(p.pk)) for p in projects]
    return render(
        request,
        "opendata/publication_list.html",
        {
            "page": page,
            "rows": rows,
            "query": query_without_page(request),
            "counts": selectors.publication_counts(request.user),
            "counties": county_choices(request.user),
            "categories": active_categories(),
            "f": request.GET,
            "max_bulk": MAX_BULK,
        },
    )


def publish_bulk(request: AuthedHttpRequest) -> HttpResponse:
    """Publish the ticked projects, or every project matching the list's filters."""
    back = redirect(f"{reverse('opendata:list')}?{request.GET.urlencode()}")
    if request.POST.get("all") == "1":
        ids = list(_matching(request).values_list("pk", flat=True)[: MAX_BULK + 1])
        if len(ids) > MAX_BULK:
            messages.error(request, f"一次最多公开 {MAX_BULK} 个项目，请先缩小筛选范围。")
            return back
    else:
        ids = [int(v) for v in request.POST.getlist("project") if v.isdigit()]
    if not ids:
        messages.error(request, "请先勾选要公开的项目。")
        return back
    try:
        made = services.publish_many(actor=request.user, project_ids=ids)
    except DomainError as exc:
        messages.error(request, exc.message)
        return back
    messages.success(request, f"已公开 {len(ids)} 个项目，新发布 {made} 个版本。")
    return back


def refresh(request: AuthedHttpRequest) -> HttpResponse:
    made = services.refresh(actor=request.user)
    messages.success(request, f"已核对全部公开项目，内容有变化的 {made} 个项目发布了新版本。")
    return redirect("opendata:list")


def publication_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    project, pub, releases = selectors.project_releases(request.user, pk)
    return render(
        request,
        "opendata/publication_detail.html",
        {
            "project": project,
            "pub": pub,
            "releases": releases,
            "photos": selectors.photo_rows(project),
        },
    )


def publish_one(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    pub = services.publish(actor=request.user, project_id=pk)
    release = pub.current_release
    messages.success(request, f"已公开，当前为第 {release.seq if release else 1} 版。")
    return redirect("opendata:detail", pk=pk)


def withdraw(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    try:
        services.withdraw(
            actor=request.user,
            project_id=pk,
            reason=request.POST.get("reason", ""),
            version=_version(request),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已撤回公开，该项目不再出现在公开页面和下载文件中。")
    return redirect("opendata:detail", pk=pk)


def field_list(request: AuthedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            services.set_field_class(
                actor=request.user,
                key=request.POST.get("key", ""),
                public=request.POST.get("public") == "1",
                version=_version(request),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已更新字段分类，公开项目已按新分类发布新版本。")
        return redirect("opendata:fields")
    return render(request, "opendata/field_list.html", {"rows": selectors.field_classes()})


def photo_clearance(request: AuthedHttpRequest, pk: int, photo_id: int) -> HttpResponse:
    """Tick (clear for publication, with a caption) or untick (with a reason) one photo."""
    cleared = request.POST.get("cleared") == "1"
    try:
        services.set_photo_clearance(
            actor=request.user,
            project_id=pk,
            photo_id=photo_id,
            cleared=cleared,
            caption=request.POST.get("caption", ""),
            reason=request.POST.get("reason", ""),
            version=_version(request),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            "已准许公开该照片，公开项目已发布新版本。"
            if cleared
            else "已撤销该照片的公开，公开项目已发布不含该照片的新版本。",
        )
    return redirect(f"{reverse('opendata:detail', args=[pk])}#photos")
