"""问题台账 writes (`dudao.problems.services`): shared constants and helpers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dudao.accounts.roles import Role
from dudao.core.uploads import (
    MAX_DOCUMENT_BYTES,
    MAX_PHOTO_BYTES,
)
from dudao.problems.models import Problem, ProblemEvent

if TYPE_CHECKING:
    pass


S = Problem.Status
A = ProblemEvent.Action

ISSUER_ROLES = (Role.SUPERVISOR, Role.JUDGE, Role.REVIEWER)
FIXER_ROLES = (Role.REPORTER, Role.REVIEWER)
VERIFIER_ROLES = (Role.SUPERVISOR, Role.REVIEWER)
REOPEN_ROLES = (Role.SUPERVISOR,)

PHOTO_EXTENSIONS = frozenset({"jpg", "jpeg", "png", "webp"})
MAX_UPLOAD_BYTES = max(MAX_PHOTO_BYTES, MAX_DOCUMENT_BYTES)


@dataclass(frozen=True)
class Transition:
    """One workflow step: the states it leaves from, the state it reaches, who may take it."""

    action: str
    label: str
    sources: frozenset[str]
    target: str
    side: str  # "fixer" | "verifier" | "supervisor"
    needs_note: bool


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(A.START, "签收并开始整改", frozenset({S.ASSIGNED}), S.FIXING, "fixer", False),
        Transition(A.PROGRESS, "报送整改进展", frozenset({S.FIXING}), S.FIXING, "fixer", True),
        Transition(A.APPLY, "申请销号", frozenset({S.FIXING}), S.APPLIED, "fixer", True),
        Transition(A.VERIFY, "开始核查", frozenset({S.APPLIED}), S.VERIFYING, "verifier", False),
        Transition(
            A.CLOSE,
            "核查通过，销号",
            frozenset({S.APPLIED, S.VERIFYING}),
            S.CLOSED,
            "verifier",
            True,
        ),
        Transition(
            A.RETURN, "退回整改", frozenset({S.APPLIED, S.VERIFYING}), S.FIXING, "verifier", True
        ),
        Transition(A.REOPEN, "重新打开", frozenset({S.CLOSED}), S.FIXING, "supervisor", True),
    )
}

NOTE_LABELS: dict[str, str] = {
    A.PROGRESS: "请填写整改进展。",
    A.APPLY: "请填写整改完成情况说明。",
    A.CLOSE: "请填写核查意见。",
    A.RETURN: "请填写退回原因。",
    A.REOPEN: "请填写重新打开的原因。",
}

EDITABLE_FIELDS = (
    "source",
    "source_ref",
    "category",
    "title",
    "description",
    "severity",
    "county",
    "responsible_org",
    "project",
    "park",
    "deadline",
    "found_on",
    "measures",
    "responsible_person",
)
