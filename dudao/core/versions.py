"""The one stale-edit rule (optimistic locking) and its one 409 body.

Every editable object carries ``version``; a client sends back the version it read. When the
object changed meanwhile, the service refuses with StaleObject (HTTP 409) whose details are
always ``{"current": <the object's current values>, "version": <current version>}`` — the same
body in the page, the API and every app.
"""

from __future__ import annotations

from typing import Any

from dudao.core.exceptions import StaleObject
from dudao.core.snapshot import snapshot


def stale_details(obj: Any) -> dict[str, Any]:
    """The body of every 409 for a stale edit."""
    return {"current": snapshot(obj), "version": obj.version}


def check_version(obj: Any, version: int | None, *, what: str) -> None:
    """Refuse an edit made on an old copy of ``obj`` (``version`` None: the caller did not
    read one, as for internal or bulk changes, so nothing to compare)."""
    if version is not None and int(version) != obj.version:
        raise StaleObject(
            f"该{what}已被他人修改（当前版本 {obj.version}），请刷新后重试。",
            details=stale_details(obj),
        )
