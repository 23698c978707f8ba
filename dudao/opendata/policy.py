"""Who may call the URLs of the opendata app (merged into dudao.policy.POLICY), and its menu.

The supervisor (督查员) decides what is public; the public pages under /open/ and the public
API under /open/api/ are open to everybody (read-only, current releases only)."""

from __future__ import annotations

from dudao.core.policy import PUBLIC, Rules, roles
from dudao.core.roles import Role

SUPERVISOR = roles(Role.SUPERVISOR)

POLICY: dict[str, Rules] = {
    "opendata:list": {"GET": SUPERVISOR},
    "opendata:publish_bulk": {"POST": SUPERVISOR},
    "opendata:refresh": {"POST": SUPERVISOR},
    "opendata:fields": {"GET": SUPERVISOR, "POST": SUPERVISOR},
    "opendata:detail": {"GET": SUPERVISOR},
    "opendata:publish": {"POST": SUPERVISOR},
    "opendata:withdraw": {"POST": SUPERVISOR},
    "opendata:photo_clearance": {"POST": SUPERVISOR},
    # The public site: no login
    "open:index": {"GET": PUBLIC},
    "open:project": {"GET": PUBLIC},
    "open:photo": {"GET": PUBLIC},
    "open:about": {"GET": PUBLIC},
    "open:oc4ids": {"GET": PUBLIC},
    "open:csv": {"GET": PUBLIC},
    "open:xlsx": {"GET": PUBLIC},
    "open_api:api-root": {"GET": PUBLIC},
    "open_api:openapi-json": {"GET": PUBLIC},
    "open_api:openapi-view": {"GET": PUBLIC},
    "open_api:project_list": {"GET": PUBLIC},
    "open_api:project_detail": {"GET": PUBLIC},
}

NAV: list[tuple[str, str]] = [("opendata:list", "信息公开")]
