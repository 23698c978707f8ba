"""Small helpers shared by page views."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.forms import BaseForm
from django.http import HttpRequest

from dudao.core.exceptions import DomainError

if TYPE_CHECKING:
    from dudao.accounts.models import User


class AuthedHttpRequest(HttpRequest):
    """A request whose user is a logged-in Dudao account (guaranteed by the URL policy)."""

    user: User


def paginate(request: HttpRequest, queryset: Any, per_page: int = 50) -> Page[Any]:
    """Return the requested page; out-of-range page numbers give the last page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def add_domain_error(form: BaseForm, error: DomainError) -> None:
    """Attach a service's DomainError to the form field it names (or to the form)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def query_without_page(request: HttpRequest) -> str:
    """Return the current query string without `page`, for pagination links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
