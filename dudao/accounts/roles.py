"""Roles live in `dudao.core.roles` (the URL policy in core needs them); re-exported here."""

from dudao.core.roles import (
    ADMIN_MASK,
    ADMIN_ROLES,
    ALL_MASK,
    BUSINESS_MASK,
    BUSINESS_ROLES,
    ENTERPRISE_MASK,
    ROLE_CODES,
    ROLE_LABELS,
    Role,
    labels_of,
    role_code,
    role_combination_error,
    roles_of,
)

__all__ = [
    "ADMIN_MASK",
    "ADMIN_ROLES",
    "ALL_MASK",
    "BUSINESS_MASK",
    "BUSINESS_ROLES",
    "ENTERPRISE_MASK",
    "ROLE_CODES",
    "ROLE_LABELS",
    "Role",
    "labels_of",
    "role_code",
    "role_combination_error",
    "roles_of",
]
