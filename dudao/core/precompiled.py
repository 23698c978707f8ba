"""Queries compiled once and run many times with new parameters.

Building and compiling a queryset (clone, filter resolution, SQL compiler) costs more CPU
than the database spends on a small indexed read. A `Precompiled` query is built from an
ordinary `values_list()` queryset — so the SQL, its joins and the backend's lookups stay the
ORM's — once per database alias and per *shape* (a hashable key chosen by the caller), with
sentinel values in place of the parameters. Each call then executes that SQL with the
caller's values substituted at the sentinels' positions and converts the rows with the
compiler's own converters (time zones, booleans, decimals): the same rows the queryset would
give, without rebuilding it.

Supported parameters: `int` (exact), a tuple of `int` (an `in` lookup; its length must be
part of the shape), `str` (exact, or inside a LIKE
pattern: startswith/contains/icontains, escaped as the ORM escapes it) and aware
`datetime` (exact or compared). Nothing is cached across calls but the SQL text: every
call reads the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler

# Sentinels: values no caller passes, whose LIKE escaping is the identity.
_STR_SENTINEL = "qzxprecompiledq{}qzx"
_INT_SENTINEL = 2_000_000_001
_DT_SENTINEL = dt.datetime(1901, 2, 3, 4, 5, 6, 789, tzinfo=dt.UTC)


class _Compiled:
    def __init__(self, compiler: SQLCompiler, sql: str, slots: list[tuple[str, Any, Any]]):
        self.compiler = compiler
        self.sql = sql
        self.slots = slots
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        self.converters = compiler.get_converters(fields)


class Precompiled:
    """A values_list query compiled once per (database alias, shape).

    `build(shape, **sentinels)` returns the queryset for a shape with the given keyword
    values in place of the parameters (it must use each one as an ordinary lookup value).
    """

    def __init__(self, build: Callable[..., QuerySet[Any]], max_shapes: int = 256) -> None:
        self.build = build
        self.max_shapes = max_shapes
        self._cache: dict[tuple[str, Hashable], _Compiled] = {}

    def _sentinels(self, values: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for i, (name, value) in enumerate(values.items()):
            if isinstance(value, bool):
                raise TypeError(f"{name}: booleans belong to the shape, not the parameters")
            if isinstance(value, int):
                out[name] = _INT_SENTINEL + i
            elif isinstance(value, tuple):
                base = _INT_SENTINEL + 1_000_000 * (i + 1)
                out[name] = tuple(base + j for j in range(len(value)))
            elif isinstance(value, str):
                out[name] = _STR_SENTINEL.format(i)
            elif isinstance(value, dt.datetime):
                out[name] = _DT_SENTINEL + dt.timedelta(days=i)
            else:
                raise TypeError(f"{name}: unsupported parameter type {type(value).__name__}")
        return out

    def _compile(self, alias: str, shape: Hashable, values: dict[str, Any]) -> _Compiled:
        connection = connections[alias]
        sentinels = self._sentinels(values)
        compiler = self.build(shape, **sentinels).query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        adapt = connection.ops.adapt_datetimefield_value
        slots: list[tuple[str, Any, Any]] = []
        for param in params:
            slot: tuple[str, Any, Any] = ("const", None, param)
            for name, sentinel in sentinels.items():
                if isinstance(sentinel, dt.datetime):
                    if param == sentinel or param == adapt(sentinel):
                        slot = ("dt", name, param == sentinel)
                elif isinstance(sentinel, tuple):
                    if type(param) is int and param in sentinel:
                        slot = ("item", name, sentinel.index(param))
                elif isinstance(sentinel, int):
                    if type(param) is int and param == sentinel:
                        slot = ("exact", name, None)
                elif isinstance(param, str) and sentinel in param:
                    # the sentinel itself, or inside the pattern a LIKE lookup made of it
                    exact = param == sentinel
                    slot = ("exact", name, None) if exact else ("like", name, (param, sentinel))
            slots.append(slot)
        used = {name for kind, name, _ in slots if kind != "const"}
        if used != set(sentinels):
            raise ValueError(f"parameters not found in the compiled SQL: {set(sentinels) - used}")
        return _Compiled(compiler, sql, slots)

    def rows(self, shape: Hashable, using: str = "default", **values: Any) -> list[tuple[Any, ...]]:
        """The rows (tuples) of the shape's query with these parameter values."""
        key = (using, shape)
        compiled = self._cache.get(key)
        if compiled is None:
            compiled = self._compile(using, shape, values)
            if len(self._cache) >= self.max_shapes:
                self._cache.clear()
            self._cache[key] = compiled
        connection = connections[using]
        params = [self._param(connection, slot, values) for slot in compiled.slots]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        return list(self._convert(compiled, fetched))

    @staticmethod
    def _param(connection: Any, slot: tuple[str, Any, Any], values: dict[str, Any]) -> Any:
        kind, name, extra = slot
        if kind == "const":
            return extra
        value = values[name]
        if kind == "exact":
            return value
        if kind == "item":
            return value[extra]
        if kind == "dt":
            return value if extra else connection.ops.adapt_datetimefield_value(value)
        pattern, sentinel = extra
        return pattern.replace(sentinel, connection.ops.prep_for_like_query(value))

    @staticmethod
    def _convert(compiled: _Compiled, fetched: Iterable[Any]) -> Iterable[tuple[Any, ...]]:
        rows: Iterable[Any] = fetched
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        return (tuple(row) for row in rows)
