"""Run in a subprocess against one installation, under either release's code: per table its
columns, row count, largest integer key and the SHA-256 of its rows in key order, printed as
JSON. Only Django's connection is used, so the previous release's tree can run it unchanged.

Given the JSON of an earlier run as its argument (a file), it digests only what that run saw:
the same columns (a later migration may add columns) and the rows up to the same largest key
(a later migration may add rows, e.g. content types for new models), and reports the total
row count beside it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
django.setup()

from django.db import connection  # noqa: E402

# Tables the running installation writes about itself, not data carried by the upgrade.
OWN_TABLES = {"django_migrations", "django_session"}


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def table_digest(cursor: Any, table: str, before: dict[str, Any] | None) -> dict[str, Any]:
    pk = connection.introspection.get_primary_key_column(cursor, table)
    if before is None:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
    else:
        columns = list(before["columns"])
    where = ""
    if before is not None and before["max_pk"] is not None and pk:
        where = f" WHERE {_quote(pk)} <= {int(before['max_pk'])}"
    order = f" ORDER BY {_quote(pk)}" if pk else ""
    select = ", ".join(_quote(c) for c in columns)
    cursor.execute(f"SELECT {select} FROM {_quote(table)}{where}{order}")  # noqa: S608
    digest = hashlib.sha256()
    count = 0
    max_pk: int | None = None
    pk_index = columns.index(pk) if pk in columns else None
    for row in cursor.fetchall():
        digest.update(repr(tuple(str(v) for v in row)).encode())
        count += 1
        if pk_index is not None and isinstance(row[pk_index], int):
            max_pk = max(max_pk or row[pk_index], row[pk_index])
    cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608
    total = int(cursor.fetchone()[0])
    return {
        "columns": columns,
        "count": count,
        "total": total,
        "max_pk": max_pk,
        "sha256": digest.hexdigest(),
    }


def main() -> None:
    before: dict[str, Any] = {}
    if len(sys.argv) > 1:
        before = json.loads(Path(sys.argv[1]).read_text())
    tables: dict[str, Any] = {}
    with connection.cursor() as cursor:
        names = set(connection.introspection.table_names(cursor))
        wanted = sorted(before) if before else sorted(names - OWN_TABLES)
        for table in wanted:
            if table in names:
                tables[table] = table_digest(cursor, table, before.get(table))
    print(json.dumps(tables))


main()
