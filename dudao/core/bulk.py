"""Fast inserts and updates from plain tuples (no model instances, no signals): COPY on
PostgreSQL, executemany on SQLite. For the demo generators and the bulk importers, which
validate every row first (the same rule functions as the services) and write inside their
own transaction with their audit event; never for a single-row service write."""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Sequence
from itertools import repeat
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models.expressions import Col

BATCH = 5000


def columns(model: type[models.Model], fields: Sequence[str]) -> list[str]:
    out = []
    for name in fields:
        field = model._meta.get_field(name)
        if not isinstance(field, models.Field):  # pragma: no cover - a programming error
            raise TypeError(f"{name} is not a column of {model.__name__}")
        out.append(str(field.column))
    return out


def fast_insert(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert `rows` (tuples in `fields` order) into `model`'s table; returns the count."""
    table = model._meta.db_table
    cols = columns(model, fields)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = ", ".join(f'"{c}"' for c in cols)
            sql = f'COPY "{table}" ({names}) FROM STDIN'
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        marks = ", ".join(["%s"] * len(cols))
        names = ", ".join(f'"{c}"' for c in cols)
        # table and column names come from the model's meta, never from input
        sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def fast_update(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """UPDATE … WHERE id = ? for each row (values in `fields` order, then the pk)."""
    table = model._meta.db_table
    sets = ", ".join(f'"{c}" = %s' for c in columns(model, fields))
    sql = f'UPDATE "{table}" SET {sets} WHERE "id" = %s'  # noqa: S608 - names from model meta
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])


def fetch_rows(queryset: models.QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a `values_list` queryset as Django gives them, for many rows: on SQLite the
    decimal columns are converted column by column (the same 15-digit reading and quantize as
    Django's converter, by C-level maps) instead of by a Python call per value."""
    compiler = queryset.query.get_compiler(queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # e.g. `pk__in=[]`: nothing to ask the database
        return []
    expressions = [s[0] for s in compiler.select]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return []
    converters = compiler.get_converters(expressions)
    if not converters:
        return [tuple(r) for r in rows]
    cols = [list(c) for c in zip(*rows, strict=True)]
    for i, (funcs, expression) in converters.items():
        field = getattr(expression, "output_field", None)
        col = cols[i]
        if (
            connection.vendor == "sqlite"
            and isinstance(field, models.DecimalField)
            and isinstance(expression, Col)
            and None not in col
        ):
            create = decimal.Context(prec=15).create_decimal_from_float
            quantum = decimal.Decimal(1).scaleb(-(field.decimal_places or 0))
            context = field.context  # type: ignore[attr-defined] # Django's, untyped
            cols[i] = list(
                map(
                    decimal.Decimal.quantize,
                    map(create, col),
                    repeat(quantum),
                    repeat(None),
                    repeat(context),
                )
            )
            continue
        for func in funcs:
            col = [func(v, expression, connection) for v in col]
        cols[i] = col
    return list(zip(*cols, strict=True))
