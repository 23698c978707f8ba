"""Who may call the URLs of 问题台账 (merged into dudao.policy.POLICY), and its menu entries."""

from __future__ import annotations

from dudao.core.policy import Rules

POLICY: dict[str, Rules] = {}

# (URL name, menu label): shown to users whose roles the policy allows for GET.
NAV: list[tuple[str, str]] = []
