"""Who may call the URLs of 督查通报 (merged into dudao.policy.POLICY), and its menu entry.

Roles only open the door; the services decide the rest: the drafting organisation's
督查员/审核员 edit and send, a 领导 (or a 督查员 other than the author) signs or returns.
Which bulletins a user sees is the selectors' business (404 outside the scope).
"""

from __future__ import annotations

from dudao.core.policy import Rules, roles
from dudao.core.roles import Role

R = Role
READERS = roles(R.REPORTER, R.REVIEWER, R.SUPERVISOR, R.JUDGE, R.LEADER)
AUTHORS = roles(R.SUPERVISOR, R.REVIEWER)
WORKFLOW = roles(R.SUPERVISOR, R.REVIEWER, R.LEADER)

POLICY: dict[str, Rules] = {
    "bulletins:list": {"GET": READERS},
    "bulletins:create": {"POST": AUTHORS},
    "bulletins:detail": {"GET": READERS},
    "bulletins:edit_paragraph": {"POST": AUTHORS},
    "bulletins:override": {"POST": AUTHORS},
    "bulletins:transition": {"POST": WORKFLOW},
    "bulletins:docx": {"GET": READERS},
    "bulletins:pdf": {"GET": READERS},
    # API
    "api:bulletin_list": {"GET": READERS, "POST": AUTHORS},
    "api:bulletin_detail": {"GET": READERS},
    "api:bulletin_transition": {"POST": WORKFLOW},
    "api:bulletin_docx": {"GET": READERS},
}

NAV: list[tuple[str, str]] = [("bulletins:list", "督查通报")]
