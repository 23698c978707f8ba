"""The bulletin rules others may read: who drafts and who signs, and how numbers read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dudao.core.roles import Role

if TYPE_CHECKING:
    from dudao.bulletins.models import BulletinKind

AUTHOR_ROLES = (Role.SUPERVISOR, Role.REVIEWER)
SIGNER_ROLES = (Role.LEADER, Role.SUPERVISOR)
# Kinds that may be drafted for one county (the others are city-wide documents).
COUNTY_KINDS = frozenset({"projects"})
QISHU = "qishu"


def draft_number(kind: BulletinKind, year: int) -> str:
    """The number a draft shows: the year is known, the sequence only at 签发."""
    if kind.numbering == QISHU:
        return f"{year}年第  期"
    return f"{kind.org_code}〔{year}〕  号"


def issued_number(kind: BulletinKind, year: int, seq: int) -> str:
    """机关代字〔年份〕序号号 (发文字号, GB/T 9704: 〔〕 brackets, no leading zeros) or 第N期."""
    if kind.numbering == QISHU:
        return f"{year}年第{seq}期"
    return f"{kind.org_code}〔{year}〕{seq}号"
