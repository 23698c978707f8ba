"""Loading the demo city: every registered generator in one transaction."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from django.apps import apps as global_apps
from django.core.management.color import no_style
from django.core.management.sql import emit_post_migrate_signal
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython
from django.utils.module_loading import autodiscover_modules

from dudao.audit.services import record_event
from dudao.demo.models import DemoLoad
from dudao.demo.registry import DemoContext, ordered
from dudao.orgs.models import Organisation

SCALES = ("city", "province")
SCALE_LABELS = {"city": "市级规模", "province": "省级规模"}


class DemoRefused(Exception):
    """The database is not empty and no reset was asked for."""


def database_is_empty() -> bool:
    """Return True when no organisation exists yet."""
    return not Organisation.objects.exists()


def load_demo(
    *,
    scale: str = "city",
    seed: int = 2026,
    reset: bool = False,
    log: Callable[[str], None] = print,
) -> DemoContext:
    """Generate the fictional demo city. Refuses a non-empty database unless `reset`."""
    if scale not in SCALES:
        raise ValueError(f"未知规模 {scale}，可选：{'、'.join(SCALES)}")
    import dudao.demo.platform  # noqa: F401  (registers the platform generator)

    autodiscover_modules("demo")
    rng = random.Random(seed)  # noqa: S311 - deterministic demo data, not cryptography
    ctx = DemoContext(rng=rng, scale=scale, seed=seed, log=log)
    # One durable transaction: the reset and the generators compose inside it, so a failure
    # anywhere leaves the database exactly as it was (never empty, never half a city).
    with transaction.atomic(durable=True):
        if reset:
            log("清空数据库 …")
            _empty_database()
        elif not database_is_empty():
            raise DemoRefused("数据库中已有数据，拒绝加载演示数据。如确需清空重建，请加 --reset。")
        for gen in ordered():
            log(f"生成：{gen.name} …")
            gen.func(ctx)
        DemoLoad.objects.create(scale=scale, seed=seed, summary=ctx.counts)
        record_event(
            actor=None,
            action="demo.load",
            actor_name="演示数据生成",
            object_repr=f"示范市演示数据（{SCALE_LABELS[scale]}，随机种子 {seed}）",
            after=ctx.counts,
        )
    return ctx


class _DataOnlyEditor:
    """What a replayed data migration gets as its schema editor: the schema survives a flush,
    so statements a migration executes through the editor (triggers, functions) are skipped."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection

    def execute(self, sql: object, params: object = ()) -> None:
        return None


def _empty_database() -> None:
    """Empty every table and put back the reference rows the data migrations created (regions,
    categories, rules, sheets, indicators, templates), in the caller's transaction."""
    connection = connections[DEFAULT_DB_ALIAS]
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True)
    if connection.vendor == "postgresql":
        # TRUNCATE refuses tables with deferred foreign-key checks still pending in this
        # transaction: run them now, truncate, and defer them again for the generators.
        statements = ["SET CONSTRAINTS ALL IMMEDIATE", *statements, "SET CONSTRAINTS ALL DEFERRED"]
    connection.ops.execute_sql_flush(statements)
    emit_post_migrate_signal(verbosity=0, interactive=False, db=DEFAULT_DB_ALIAS)
    # Replay every RunPython of the migrations, in migration order, against today's models
    # (the tables have today's columns: a historical model would miss the NOT NULL ones added
    # later), so the reference rows are exactly those `migrate` leaves on a new database.
    loader = MigrationLoader(connection)
    plan: list[tuple[str, str]] = []
    for leaf in loader.graph.leaf_nodes():
        plan.extend(key for key in loader.graph.forwards_plan(leaf) if key not in plan)
    editor = _DataOnlyEditor(connection)
    for key in plan:
        for operation in loader.graph.nodes[key].operations:
            if isinstance(operation, RunPython):
                code: Any = operation.code  # called as `migrate` calls it, on today's apps
                code(global_apps, editor)


def existing_demo_users() -> dict[str, Any]:
    """Return the demo accounts present in the database (none when no demo was loaded)."""
    from dudao.accounts.models import User
    from dudao.demo.platform import ACCOUNTS
    from dudao.demo.registry import MODULE_LOGINS

    if not DemoLoad.objects.exists():
        return {}
    names = [row[0] for row in ACCOUNTS] + list(MODULE_LOGINS)
    users = User.objects.filter(username__in=names, is_active=True)
    order = {name: i for i, name in enumerate(names)}
    return {u.username: u for u in sorted(users, key=lambda u: order[u.username])}
