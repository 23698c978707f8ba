"""The audit chain's anchor: the worker appends the chain head to the anchor file every minute."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dudao.audit import chain


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def anchor_audit_chain() -> int:
    """Append the head (when it moved) so a later tail truncation is detected; return its seq."""
    anchor = chain.write_anchor()
    return anchor.seq if anchor else 0
