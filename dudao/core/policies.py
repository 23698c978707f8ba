"""Role checks shared by service functions (the second line behind the URL policy)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dudao.core.exceptions import NotAllowed
from dudao.core.roles import ROLE_LABELS, Role

if TYPE_CHECKING:
    from dudao.accounts.models import User


def require_role(actor: User, *roles: Role) -> None:
    """Raise NotAllowed unless the active actor holds one of `roles`."""
    if not actor.is_active or not actor.has_role(*roles):
        names = "或".join(ROLE_LABELS[r] for r in roles)
        raise NotAllowed(f"只有{names}可以执行此操作。")
