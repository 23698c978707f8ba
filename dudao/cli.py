"""The `dudao` command: Django's management commands plus serve/worker shortcuts.

dudao serve        production WSGI server (gunicorn) on 127.0.0.1:$DUDAO_PORT
dudao worker       the job consumer (huey)
dudao demo         load the fictional demo city 示范市
dudao createadmin  create the first 系统管理员/安全管理员/审计管理员 accounts
dudao load-regions load the GB/T 2260 snapshot
dudao workdays-check YEAR  is the year's holiday calendar known, or still provisional?
dudao import KIND FILE --as USER [--dry-run]   import a file (same checks as the web upload)
dudao bulletin make KIND --period YYYY-MM [--scope ORG_CODE] --out FILE   a draft bulletin (.docx)
dudao opendata export --format oc4ids|csv|xlsx --out FILE   the published projects
dudao audit verify  check the audit log's hash chain and anchors (exit 1 at the first broken link)
dudao pg_roles      print (or --apply) the PostgreSQL owner/app roles and grants
dudao backup [--out DIR] [--prune]   a consistent backup (database, uploads, manifest)
dudao restore DIR   restore a verified backup into an empty installation (then migrate forward)
dudao check-deploy  is this installation ready for production? (exit 1 on an error)
dudao <django command> …   e.g. migrate, check, collectstatic
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ALIASES = {
    "worker": "run_huey",
    "load-regions": "load_regions",
    "workdays-check": "workdays_check",
    "check-deploy": "check_deploy",
}


# Commands that change the schema or grants: run with DUDAO_MIGRATE_DATABASE_URL when it is set.
OWNER_COMMANDS = frozenset({"migrate", "pg_roles", "restore"})


def main(argv: list[str] | None = None) -> int:
    """Run a command; a configuration error prints one line and exits with status 2."""
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
    from django.core.exceptions import ImproperlyConfigured

    if len(argv) > 1 and argv[1] in ALIASES:
        argv[1] = ALIASES[argv[1]]
    if len(argv) > 1 and argv[1] in OWNER_COMMANDS and os.environ.get("DUDAO_MIGRATE_DATABASE_URL"):
        # Schema changes run as the owner role; the server and worker run as the app role, which
        # may only INSERT and SELECT the audit log (deploy/postgresql-roles.md).
        os.environ["DUDAO_DATABASE_URL"] = os.environ["DUDAO_MIGRATE_DATABASE_URL"]
    if len(argv) > 1 and argv[1] == "serve":
        return _serve(argv[2:])
    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(argv)
    except ImproperlyConfigured as exc:
        print(f"配置错误：{exc}", file=sys.stderr)
        return 2
    return 0


def _serve(extra: list[str]) -> int:
    """Check the configuration, then replace this process with gunicorn."""
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
        from django.conf import settings
    except ImproperlyConfigured as exc:
        print(f"配置错误：{exc}", file=sys.stderr)
        return 2
    bind = os.environ.get("DUDAO_BIND", f"127.0.0.1:{settings.PORT}")
    workers = os.environ.get("DUDAO_WORKERS", str(max(2, (os.cpu_count() or 1) + 1)))
    threads = str(settings.SERVER_THREADS)
    args = [
        "gunicorn",
        "dudao.wsgi:application",
        "--bind",
        bind,
        "--workers",
        workers,
        "--threads",
        threads,
        # A worker takes a connection only when one of its threads is free to serve it: the
        # rest wait in the shared listen queue for whichever worker frees a thread first,
        # instead of queueing inside a worker whose threads are busy (gthread's default of
        # 1000 connections a worker let a page wait seconds behind a few logins while another
        # worker idled). No keep-alive then: nginx talks to the app without it anyway.
        "--worker-connections",
        threads,
        "--keep-alive",
        "0",
        # gunicorn 27's control socket defaults to one path per OS user (~/.gunicorn), which
        # two Dudao instances on one host would fight over: keep it in the data directory.
        "--control-socket",
        str(Path(settings.DATA_DIR) / "gunicorn.ctl"),
        "--access-logfile",
        "-",
        "--timeout",
        "120",
        "--graceful-timeout",
        "20",
        *extra,
    ]
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    os.execv(gunicorn, args)  # noqa: S606 - fixed program, arguments from our own settings


if __name__ == "__main__":
    sys.exit(main())
