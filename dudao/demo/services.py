"""Loading the demo city: every registered generator in one transaction."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from django.core.management import call_command
from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from dudao.audit.services import record_event
from dudao.demo.models import DemoLoad
from dudao.demo.registry import DemoContext, ordered
from dudao.orgs.models import Organisation

SCALES = ("city", "province")


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
    if reset:
        call_command("flush", interactive=False, verbosity=0)
        call_command("load_regions", verbosity=0)
    elif not database_is_empty():
        raise DemoRefused("数据库中已有数据，拒绝加载演示数据。如确需清空重建，请加 --reset。")
    import dudao.demo.platform  # noqa: F401  (registers the platform generator)

    autodiscover_modules("demo")
    rng = random.Random(seed)  # noqa: S311 - deterministic demo data, not cryptography
    ctx = DemoContext(rng=rng, scale=scale, seed=seed, log=log)
    # One durable transaction: the generators compose the apps' internal writes inside it.
    with transaction.atomic(durable=True):
        for gen in ordered():
            log(f"生成：{gen.name} …")
            gen.func(ctx)
        DemoLoad.objects.create(scale=scale, seed=seed, summary=ctx.counts)
        record_event(
            actor=None,
            action="demo.load",
            actor_name="demo",
            object_repr=f"示范市演示数据（{scale}，seed={seed}）",
            after=ctx.counts,
        )
    return ctx


def existing_demo_users() -> dict[str, Any]:
    """Return the demo accounts present in the database (none when no demo was loaded)."""
    from dudao.accounts.models import User
    from dudao.demo.platform import ACCOUNTS

    if not DemoLoad.objects.exists():
        return {}
    names = [row[0] for row in ACCOUNTS]
    users = User.objects.filter(username__in=names, is_active=True)
    order = {name: i for i, name in enumerate(names)}
    return {u.username: u for u in sorted(users, key=lambda u: order[u.username])}
