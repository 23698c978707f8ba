"""Run in a subprocess against one installation: a digest of every table (row count and the
SHA-256 of its rows in primary-key order) and of every uploaded file, printed as JSON.

The backup drill compares the digests of the original and of the restored installation, so the
comparison does not trust the restore's own checks. Rows that the backup and the restore write
about themselves (their audit events, the backup record, the job worker's heartbeat) are left
out on both sides.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

OWN_TABLES = {"ops_backuprun", "ops_workerheartbeat", "ops_jobfailure", "django_session"}
OWN_EVENTS = ("ops.backup", "ops.restore", "ops.backup_pruned")


def table_digest(cursor: Any, table: str) -> tuple[int, str]:
    pk = connection.introspection.get_primary_key_column(cursor, table)
    where = ""
    if table == "audit_auditevent":
        where = " WHERE action NOT IN ({})".format(", ".join(f"'{a}'" for a in OWN_EVENTS))
    order = f' ORDER BY "{pk}"' if pk else ""
    cursor.execute(f'SELECT * FROM "{table}"{where}{order}')  # noqa: S608 - catalogue names
    digest = hashlib.sha256()
    count = 0
    for row in cursor.fetchall():
        digest.update(repr(tuple(str(v) for v in row)).encode())
        count += 1
    return count, digest.hexdigest()


def main() -> None:
    tables: dict[str, tuple[int, str]] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table not in OWN_TABLES:
                tables[table] = table_digest(cursor, table)
    uploads = Path(settings.MEDIA_ROOT)
    files = {
        p.relative_to(uploads).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(uploads.rglob("*"))
        if p.is_file()
    }
    print(json.dumps({"tables": tables, "files": files}))


main()
