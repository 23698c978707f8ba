"""Reads of the organisation tree, always from the user's scope."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from dudao.orgs.models import Organisation, OrganisationQuerySet

if TYPE_CHECKING:
    from dudao.accounts.models import User


def list_organisations(actor: User, *, q: str = "", kind: str = "") -> OrganisationQuerySet:
    """Return the organisations in the actor's scope, in tree order, filtered."""
    qs = Organisation.objects.visible_to(actor).select_related("region", "parent")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.annotate(user_count=Count("users", distinct=True)).order_by("path")


def get_organisation(actor: User, pk: int) -> Organisation:
    """Return one organisation in scope, or raise Http404."""
    return get_object_or_404(
        Organisation.objects.visible_to(actor).select_related("region", "parent"), pk=pk
    )


def scope_summary(actor: User) -> dict[str, Any]:
    """Return what the actor's scope holds: its root and counts by organisation kind."""
    qs = Organisation.objects.visible_to(actor)
    by_kind = dict(qs.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    labels = dict(Organisation.Kind.choices)
    root = qs.order_by("depth", "path").first()
    return {
        "root": root,
        "organisation_count": sum(by_kind.values()),
        "by_kind": [(labels[k], n) for k, n in sorted(by_kind.items(), key=lambda kv: kv[0])],
    }
