"""Who may call which URL, by URL name and HTTP method (deny by default).

Roles decide *whether* an operation may be called; the selectors then decide *which rows*
(the user's organisation subtree, 404 outside it). 三员分立 (reliability.md §1.4):
系统管理员 maintains organisations and accounts, 安全管理员 grants roles and unlocks,
审计管理员 only reads the audit log; none of them reads business data.
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings

from dudao.core.menu import MenuEntry, menu_entry
from dudao.core.policy import AUTHENTICATED, PUBLIC, Rules, roles
from dudao.core.roles import Role

R = Role
BUSINESS = roles(R.REPORTER, R.REVIEWER, R.SUPERVISOR, R.JUDGE, R.LEADER)
ORG_READERS = roles(R.REPORTER, R.REVIEWER, R.SUPERVISOR, R.JUDGE, R.LEADER, R.SYSADMIN, R.SECADMIN)
ACCOUNT_READERS = roles(R.SYSADMIN, R.SECADMIN)
SYSADMIN = roles(R.SYSADMIN)
SECADMIN = roles(R.SECADMIN)
AUDITADMIN = roles(R.AUDITADMIN)
ADMINS = roles(R.SYSADMIN, R.SECADMIN, R.AUDITADMIN)

POLICY: dict[str, Rules] = {
    # Shell and own account
    "home": {"GET": AUTHENTICATED},
    "account": {"GET": AUTHENTICATED},
    "login": {"GET": PUBLIC, "POST": PUBLIC},
    "logout": {"POST": PUBLIC},
    # The second step of a login: public, but only answers a session whose password was
    # just checked (dudao.accounts.views._pending_user).
    "login_mfa": {"GET": PUBLIC, "POST": PUBLIC},
    "login_mfa_enrol": {"GET": PUBLIC, "POST": PUBLIC},
    "mfa_settings": {"GET": AUTHENTICATED, "POST": AUTHENTICATED},
    "password_change": {"GET": AUTHENTICATED, "POST": AUTHENTICATED},
    "token_list": {"GET": AUTHENTICATED, "POST": AUTHENTICATED},
    "token_revoke": {"POST": AUTHENTICATED},
    # Organisations
    "orgs:list": {"GET": ORG_READERS},
    "orgs:detail": {"GET": ORG_READERS},
    "orgs:create": {"GET": SYSADMIN, "POST": SYSADMIN},
    "orgs:edit": {"GET": SYSADMIN, "POST": SYSADMIN},
    # Accounts
    "users:list": {"GET": ACCOUNT_READERS},
    "users:detail": {"GET": ACCOUNT_READERS},
    "users:create": {"GET": SYSADMIN, "POST": SYSADMIN},
    "users:edit": {"GET": SYSADMIN, "POST": SYSADMIN},
    "users:set_active": {"POST": SYSADMIN},
    "users:set_roles": {"POST": SECADMIN},
    "users:unlock": {"POST": SECADMIN},
    "users:reset_password": {"POST": SECADMIN},
    "users:reset_requests": {"GET": ADMINS},
    "users:approve_reset": {"POST": ADMINS},
    "users:mfa_policy": {"GET": SECADMIN, "POST": SECADMIN},
    # Operations: the load balancer's probes, and the 运行状态 page of the 系统管理员
    "healthz": {"GET": PUBLIC},
    "readyz": {"GET": PUBLIC},
    "ops:status": {"GET": SYSADMIN},
    # Audit log
    "audit:list": {"GET": AUDITADMIN},
    "audit:detail": {"GET": AUDITADMIN},
    # API
    "api:api-root": {"GET": PUBLIC},
    "api:openapi-json": {"GET": PUBLIC},
    "api:openapi-view": {"GET": PUBLIC},
    "api:me": {"GET": AUTHENTICATED},
    "api:user_list": {"GET": ACCOUNT_READERS},
    "api:user_detail": {"GET": ACCOUNT_READERS},
    "api:region_list": {"GET": AUTHENTICATED},
    "api:region_detail": {"GET": AUTHENTICATED},
    "api:organisation_list": {"GET": ORG_READERS},
    "api:organisation_detail": {"GET": ORG_READERS},
    "api:audit_event_list": {"GET": AUDITADMIN},
    "api:audit_event_detail": {"GET": AUDITADMIN},
}

# The business modules' own tables (dudao/<app>/policy.py), merged; a name defined twice is an
# error, so a module can never loosen another's rule by accident.
NAV: list[MenuEntry] = []
for _app in settings.DOMAIN_APPS:
    _module = import_module(f"dudao.{_app}.policy")
    _clash = sorted(set(_module.POLICY) & set(POLICY))
    if _clash:
        raise RuntimeError(f"dudao.{_app}.policy redefines {_clash}")
    POLICY.update(_module.POLICY)
    NAV.extend(menu_entry(item) for item in _module.NAV)
