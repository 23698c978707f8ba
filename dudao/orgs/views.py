"""Organisation pages: tree list and detail for everyone in scope, edits for 系统管理员."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from dudao.core.exceptions import DomainError
from dudao.core.http import AuthedHttpRequest, add_domain_error, query_without_page
from dudao.core.listing import listing
from dudao.core.roles import Role
from dudao.orgs import selectors, services
from dudao.orgs.forms import OrganisationEditForm, OrganisationForm
from dudao.orgs.models import Organisation


def home(request: AuthedHttpRequest) -> HttpResponse:
    """The account page: the user's organisation, roles and what their data scope holds."""
    return render(request, "home.html", {"scope": selectors.scope_summary(request.user)})


# The organisation list's sortable columns (URL key → ORM fields), for dudao.core.listing;
# the default is the tree order.
ORG_SORTS: dict[str, tuple[str, ...]] = {
    "tree": ("path",),
    "name": ("name",),
    "code": ("code",),
    "kind": ("kind",),
    "region": ("region__code",),
    "users": ("-user_count",),
    "active": ("-is_active",),
}


def organisation_list(request: AuthedHttpRequest) -> HttpResponse:
    """The organisation tree in the user's scope, searchable."""
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    qs = selectors.list_organisations(request.user, q=q, kind=kind)
    lst = listing(request, qs, ORG_SORTS, default="tree", per_page=100)
    context = {
        "page": lst.page,
        "list": lst,
        "q": q,
        "kind": kind,
        "kinds": Organisation.Kind.choices,
        "query": query_without_page(request),
        "can_edit": request.user.has_role(Role.SYSADMIN),
    }
    template = "orgs/_table.html" if request.htmx else "orgs/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def organisation_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """One organisation with its children and accounts (404 outside the user's scope)."""
    org = selectors.get_organisation(request.user, pk)
    children = selectors.list_organisations(request.user).filter(parent=org)
    users = org.users.all() if request.user.has_role(Role.SYSADMIN, Role.SECADMIN) else None
    return render(
        request,
        "orgs/detail.html",
        {
            "org": org,
            "children": children,
            "users": users,
            "can_edit": request.user.has_role(Role.SYSADMIN),
        },
    )


@require_http_methods(["GET", "POST"])
def organisation_create(request: AuthedHttpRequest) -> HttpResponse:
    """Create an organisation under one in scope."""
    organisations = selectors.list_organisations(request.user)
    initial = {}
    if request.GET.get("parent", "").isdigit():
        initial["parent"] = request.GET["parent"]
    form = OrganisationForm(request.POST or None, organisations=organisations, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = services.create_organisation(
                actor=request.user,
                name=data["name"],
                code=data["code"],
                kind=data["kind"],
                parent=data["parent"],
                short_name=data["short_name"],
                scope_base=data["scope_base"] or None,
                region=data["region"],
                uscc=data["uscc"],
                sort_order=data["sort_order"] or 0,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已创建单位“{org.name}”。")
            return redirect("orgs:detail", pk=org.pk)
    return render(request, "orgs/form.html", {"form": form, "title": "新建单位"})


@require_http_methods(["GET", "POST"])
def organisation_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Edit an organisation's attributes (stale edits are refused)."""
    org = selectors.get_organisation(request.user, pk)
    initial = {
        f: getattr(org, f)
        for f in (
            "name",
            "short_name",
            "code",
            "kind",
            "scope_base",
            "region",
            "uscc",
            "sort_order",
            "is_active",
            "version",
        )
    }
    form = OrganisationEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        data["sort_order"] = data["sort_order"] or 0
        try:
            services.update_organisation(actor=request.user, org=org, version=version, **data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "单位信息已保存。")
            return redirect("orgs:detail", pk=org.pk)
    return render(
        request, "orgs/form.html", {"form": form, "title": f"编辑单位：{org.name}", "org": org}
    )
