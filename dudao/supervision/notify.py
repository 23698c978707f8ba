"""The in-app notification centre: who hears about a unit's tasks, and the daily digest.

A unit's task reaches the accounts that work for it: users of the unit itself and users of its
functional offices that see its tree (a county's 发改委 staff for the county government's
tasks), holding the roles given (填报员/审核员 by default).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.db.models import Q

from dudao.accounts.models import User
from dudao.accounts.roles import Role
from dudao.supervision.models import Notification

if TYPE_CHECKING:
    from dudao.orgs.models import Organisation

RESPONSIBLE_ROLES = (Role.REPORTER, Role.REVIEWER)


def role_mask(roles: Sequence[Role]) -> int:
    mask = 0
    for role in roles:
        mask |= int(role)
    return mask


def users_of_units(
    orgs: Iterable[Organisation | None], roles: Sequence[Role] = RESPONSIBLE_ROLES
) -> list[User]:
    """Active accounts working for these units (the unit, or an office scoped to its tree)."""
    units = [o for o in orgs if o is not None]
    if not units:
        return []
    ids = [o.pk for o in units]
    paths = [o.path for o in units]
    qs = User.objects.filter(is_active=True).filter(
        Q(organisation_id__in=ids)
        | Q(organisation__parent_id__in=ids, organisation__scope_path__in=paths)
    )
    mask = role_mask(roles)
    return [u for u in qs if u.roles & mask]


def to_units(
    orgs: Iterable[Organisation | None],
    *,
    kind: str,
    title: str,
    body: str,
    url: str,
    roles: Sequence[Role] = RESPONSIBLE_ROLES,
) -> int:
    """Put one notification in the centre of every account working for `orgs`."""
    users = users_of_units(orgs, roles)
    Notification.objects.bulk_create(
        Notification(user=u, kind=kind, title=title[:120], body=body, url=url) for u in users
    )
    return len(users)


ISSUER_ROLES = (Role.SUPERVISOR, Role.REVIEWER)
