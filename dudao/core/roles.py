"""Roles (product.md, reliability.md §1.4) as bit flags stored in one integer column.

One column lets the database itself enforce 三员分立: at most one administrator role per
account, and never an administrator role together with a business role
(see `User.Meta.constraints`).
"""

from __future__ import annotations

import enum


class Role(enum.IntFlag):
    """A role an account may hold."""

    REPORTER = 1
    REVIEWER = 2
    SUPERVISOR = 4
    JUDGE = 8
    LEADER = 16
    # An enterprise's own account (企业): bound to one enterprise's USCC, sees only that
    # enterprise's demands. Not a business role: no organisation-scoped data at all.
    ENTERPRISE = 32
    SYSADMIN = 256
    SECADMIN = 512
    AUDITADMIN = 1024


ROLE_LABELS: dict[Role, str] = {
    Role.REPORTER: "填报员",
    Role.REVIEWER: "审核员",
    Role.SUPERVISOR: "督查员",
    Role.JUDGE: "评委",
    Role.LEADER: "领导",
    Role.ENTERPRISE: "企业",
    Role.SYSADMIN: "系统管理员",
    Role.SECADMIN: "安全管理员",
    Role.AUDITADMIN: "审计管理员",
}

ROLE_CODES: dict[str, Role] = {str(role.name).lower(): role for role in Role}

BUSINESS_ROLES = (Role.REPORTER, Role.REVIEWER, Role.SUPERVISOR, Role.JUDGE, Role.LEADER)
ADMIN_ROLES = (Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN)
BUSINESS_MASK = int(Role.REPORTER | Role.REVIEWER | Role.SUPERVISOR | Role.JUDGE | Role.LEADER)
ADMIN_MASK = int(Role.SYSADMIN | Role.SECADMIN | Role.AUDITADMIN)
ENTERPRISE_MASK = int(Role.ENTERPRISE)
ALL_MASK = BUSINESS_MASK | ADMIN_MASK | ENTERPRISE_MASK


def roles_of(mask: int) -> list[Role]:
    """Return the roles set in `mask`, in declaration order."""
    return [role for role in Role if mask & role]


def labels_of(mask: int) -> list[str]:
    """Return the Chinese labels of the roles in `mask`."""
    return [ROLE_LABELS[role] for role in roles_of(mask)]


def role_combination_error(mask: int) -> str | None:
    """Return the Chinese reason why `mask` is not an allowed combination, or None."""
    if mask & ~ALL_MASK:
        return "包含未知角色"
    admin = mask & ADMIN_MASK
    if admin and admin not in (int(r) for r in ADMIN_ROLES):
        return "一个账户最多担任一种管理员角色（三员分立）"
    if admin and mask & BUSINESS_MASK:
        return "管理员角色不能与业务角色兼任（三员分立）"
    if mask & ENTERPRISE_MASK and mask != ENTERPRISE_MASK:
        return "企业账户不能兼任其他角色"
    return None


def role_code(role: Role) -> str:
    """Return the lower-case code of a single role (e.g. "reporter"), used in forms and the API."""
    return str(role.name).lower()
