"""Who may call the URLs of the opendata app (merged into dudao.policy.POLICY), and its menu."""

from __future__ import annotations

from dudao.core.policy import Rules

POLICY: dict[str, Rules] = {}

NAV: list[tuple[str, str]] = []
