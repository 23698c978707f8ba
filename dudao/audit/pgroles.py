"""PostgreSQL roles: an owner that migrates; an app role that only INSERTs and SELECTs audit events.

The server and the worker connect as the app role (DUDAO_DATABASE_URL); `dudao migrate` connects
as the owner (DUDAO_MIGRATE_DATABASE_URL, see dudao/cli.py). The app role owns nothing, so it
cannot ALTER TABLE … DISABLE TRIGGER, DROP or TRUNCATE; on the audit table it holds only INSERT
and SELECT, so DELETE and UPDATE are refused before any trigger runs. The owner is no
superuser: the statement trigger of migration 0003 refuses it TRUNCATE, the row trigger DELETE
and UPDATE; what it can still do (disable a trigger it owns) the hash chain detects.
"""

from __future__ import annotations

import re

from django.core.exceptions import ImproperlyConfigured

AUDIT_TABLE = "audit_auditevent"
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _checked(name: str) -> str:
    if not _NAME.match(name):
        raise ImproperlyConfigured(f"角色名 {name!r} 无效：只能用小写字母、数字和下划线")
    return name


def create_roles_sql(owner: str, app: str, database: str) -> list[str]:
    """Statements for a superuser: the two login roles, the database and schema owned by `owner`.

    Passwords are set separately (`\\password` in psql) so they never appear in a file.
    """
    owner, app, database = _checked(owner), _checked(app), _checked(database)
    return [
        f"CREATE ROLE {owner} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS",
        f"CREATE ROLE {app} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT",
        f"ALTER DATABASE {database} OWNER TO {owner}",
        f"REVOKE ALL ON DATABASE {database} FROM PUBLIC",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {app}",
    ]


def grants_sql(owner: str, app: str) -> list[str]:
    """What the owner runs after each migrate: the app's rights on every table and sequence."""
    owner, app = _checked(owner), _checked(app)
    return [
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA public TO {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {app}",
        # The audit log: append and read, nothing else.
        f"REVOKE ALL ON {AUDIT_TABLE} FROM {app}",
        f"REVOKE ALL ON {AUDIT_TABLE} FROM PUBLIC",
        f"GRANT SELECT, INSERT ON {AUDIT_TABLE} TO {app}",
    ]
