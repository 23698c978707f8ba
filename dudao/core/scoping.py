"""Data scope: which organisations' data a user may see.

The rule is one sentence: a user sees the subtree of their organisation's *scope root*.
An organisation's scope root is itself (city and county governments, park committees)
or its parent (the city's functional offices such as 督查室 and 发改委 see the city's tree).
Every read of organisation-owned data starts from `Model.objects.visible_to(user)`;
anything outside the result is answered as "does not exist" (HTTP 404).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from dudao.accounts.models import User

_M = TypeVar("_M", bound=models.Model)


def scope_path_of(user: User | AnonymousUser | None) -> str | None:
    """Return the materialized path prefix the user may see, or None for no scope."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    org = user.organisation
    if org is None or not org.is_active:
        return None
    return org.scope_path


class ScopedQuerySet(models.QuerySet[_M]):
    """A queryset that restricts itself to a user's data scope.

    `scope_field` names the path from the model to its owning `Organisation`
    ("" when the model is the organisation). `business_data` marks data that the three
    administrators (三员) must not read (reliability.md §1.4).
    """

    scope_field: ClassVar[str] = "organisation"
    business_data: ClassVar[bool] = True

    def visible_to(self, user: Any) -> Self:
        """Return only the rows inside the user's data scope (none for outsiders)."""
        path = scope_path_of(user)
        if path is None:
            return self.none()
        if self.business_data and not user.has_business_role:
            return self.none()
        prefix = f"{self.scope_field}__" if self.scope_field else ""
        return self.filter(**{f"{prefix}path__startswith": path})
