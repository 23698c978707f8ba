"""Receivers of lower layers' signals (connected in AccountsConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.models import Session

from dudao.accounts.models import LoginSession


def drop_orphan_login_sessions(sender: Any, **kwargs: Any) -> None:
    """After core's housekeeping purged expired sessions: drop the index rows pointing at them."""
    LoginSession.objects.exclude(session_key__in=Session.objects.values("session_key")).delete()
