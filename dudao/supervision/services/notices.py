"""The notification centre's one public write for the modules above supervision (bulletins)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from dudao.supervision.models import Notification

if TYPE_CHECKING:
    from dudao.accounts.models import User


def notify_users(*, users: Iterable[User], title: str, body: str, url: str) -> int:
    """Put one 通报 notification in the centre of each active account (inside the caller's
    transaction); returns how many were written."""
    rows = [
        Notification(
            user=u, kind=Notification.Kind.BULLETIN, title=title[:120], body=body, url=url[:200]
        )
        for u in users
        if u.is_active
    ]
    Notification.objects.bulk_create(rows)
    return len(rows)
