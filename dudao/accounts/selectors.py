"""Reads of accounts, always from the user's scope."""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from dudao.accounts.models import (
    ApiToken,
    PasswordResetRequest,
    RecoveryCode,
    User,
    UserQuerySet,
)
from dudao.core.roles import ROLE_CODES


def list_users(
    actor: User, *, q: str = "", role: str = "", organisation: int | None = None, active: str = ""
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


def get_user(actor: User, pk: int) -> User:
    """Return one account in scope, or raise Http404."""
    return get_object_or_404(User.objects.visible_to(actor), pk=pk)


def list_own_tokens(actor: User) -> list[ApiToken]:
    """Return the actor's own API tokens, newest first."""
    return list(ApiToken.objects.filter(user=actor).order_by("-created_at"))


def get_own_token(actor: User, pk: int) -> ApiToken:
    """Return one of the actor's own tokens, or raise Http404."""
    return get_object_or_404(ApiToken.objects.filter(user=actor), pk=pk)


def list_pending_reset_requests(actor: User) -> list[PasswordResetRequest]:
    """Return the unexpired, unapproved resets of accounts in the actor's scope."""
    return list(
        PasswordResetRequest.objects.filter(
            user__in=User.objects.visible_to(actor).values("pk"),
            approved_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).select_related("user", "requested_by")
    )


def get_pending_reset_request(actor: User, pk: int) -> PasswordResetRequest:
    """Return one reset request of an account in scope, or raise Http404."""
    return get_object_or_404(
        PasswordResetRequest.objects.filter(
            user__in=User.objects.visible_to(actor).values("pk")
        ).select_related("user", "requested_by"),
        pk=pk,
    )


def unused_recovery_codes(actor: User) -> int:
    """Return how many of the actor's recovery codes are still unused."""
    return RecoveryCode.objects.filter(user=actor, used_at__isnull=True).count()
