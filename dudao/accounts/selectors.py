"""Reads of accounts, always from the user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.shortcuts import get_object_or_404

from dudao.accounts.models import ApiToken, User, UserQuerySet
from dudao.core.roles import ROLE_CODES


def list_users(
    actor: Any, *, q: str = "", role: str = "", organisation: int | None = None, active: str = ""
) -> UserQuerySet:
    """Return the accounts in the actor's scope, filtered."""
    qs = User.objects.visible_to(actor)
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    if role in ROLE_CODES:
        qs = qs.with_role(ROLE_CODES[role])
    if organisation:
        qs = qs.filter(organisation_id=organisation)
    if active in ("1", "0"):
        qs = qs.filter(is_active=active == "1")
    return qs


def get_user(actor: Any, pk: int) -> User:
    """Return one account in scope, or raise Http404."""
    return get_object_or_404(User.objects.visible_to(actor), pk=pk)


def list_own_tokens(actor: Any) -> list[ApiToken]:
    """Return the actor's own API tokens, newest first."""
    return list(ApiToken.objects.filter(user=actor).order_by("-created_at"))


def get_own_token(actor: Any, pk: int) -> ApiToken:
    """Return one of the actor's own tokens, or raise Http404."""
    return get_object_or_404(ApiToken.objects.filter(user=actor), pk=pk)
