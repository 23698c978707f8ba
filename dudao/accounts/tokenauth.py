"""The Bearer token look-up of every API call: one precompiled query joining the token, its
owner and the owner's organisation.

The checks are `ApiToken.objects.active(now)`'s (not revoked, not expired at this
instant) and the hash compare of `token_hash`; the row is read from the database on every
call, so a revocation or expiry takes effect on the next request. The owner and the
organisation are real model instances (`Model.from_db`, the organisation in the user's
relation cache), as `select_related("user", "user__organisation")` gives them.
"""

from __future__ import annotations

from typing import Any

from django.db import router
from django.db.models import QuerySet
from django.utils import timezone

from dudao.accounts.models import ApiToken, User
from dudao.core.precompiled import Precompiled
from dudao.orgs.models import Organisation

_TOKEN_FIELDS = ("id", "last_used_at")
_USER_FIELDS = tuple(f.attname for f in User._meta.concrete_fields)
_ORG_FIELDS = tuple(f.attname for f in Organisation._meta.concrete_fields)


def _build(shape: object, token_hash: str, now: Any) -> QuerySet[Any]:
    return (
        ApiToken.objects.active(now)
        .filter(token_hash=token_hash)
        .order_by()
        .values_list(
            *_TOKEN_FIELDS,
            *(f"user__{name}" for name in _USER_FIELDS),
            *(f"user__organisation__{name}" for name in _ORG_FIELDS),
        )[:1]
    )


_QUERY = Precompiled(_build)


def active_token(token_hash: str) -> ApiToken | None:
    """The active token with this hash, its `user` and `user.organisation` loaded; None for
    an unknown, revoked or expired token."""
    alias = router.db_for_read(ApiToken)
    found = _QUERY.rows("token", using=alias, token_hash=token_hash, now=timezone.now())
    if not found:
        return None
    row = found[0]
    n_token, n_user = len(_TOKEN_FIELDS), len(_USER_FIELDS)
    user = User.from_db(alias, list(_USER_FIELDS), row[n_token : n_token + n_user])
    organisation = Organisation.from_db(alias, list(_ORG_FIELDS), row[n_token + n_user :])
    user._state.fields_cache["organisation"] = organisation
    token = ApiToken.from_db(alias, ["id", "user_id", "last_used_at"], [row[0], user.pk, row[1]])
    token._state.fields_cache["user"] = user
    return token
