"""Demo data generators. Each domain app adds one in its own `demo.py`:

    from dudao.demo.registry import DemoContext, generator

    @generator(order=20, name="重大项目")
    def projects(ctx: DemoContext) -> None: ...

Generators run in `order` inside one transaction, share one seeded random generator, and
only ever write fictional data labelled 演示数据 (the city is 示范市).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.orgs.models import Organisation

DEMO_PASSWORD = "Shifan@2026!demo"  # noqa: S105 - fictional 示范市 demo accounts only
# The demo administrators' authenticator (they must log in with a second factor): the same
# published key for all three, printed by `dudao demo` and README. Demo data only.
DEMO_TOTP_KEY = "53686966616e44656d6f546f74704b65792d3236"
# The same key in base32, as authenticator apps take it.
DEMO_TOTP_SECRET = "KNUGSZTBNZCGK3LPKRXXI4CLMV4S2MRW"  # noqa: S105 - published demo key
# Printed logins that a module's generator creates after the platform's accounts (in this
# order): the land bureau's clerk and an enterprise's own account
# (dudao/enterprises/demo_service.py).
MODULE_LOGINS = ("demo_land", "demo_enterprise")


@dataclass
class DemoContext:
    """What generators share: the seeded RNG, the scale, and what earlier ones created."""

    rng: random.Random
    scale: str
    seed: int
    orgs: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    log: Callable[[str], None] = print

    @property
    def is_province(self) -> bool:
        return self.scale == "province"


@dataclass(frozen=True)
class Generator:
    order: int
    name: str
    func: Callable[[DemoContext], None]


GENERATORS: list[Generator] = []


def generator(
    *, order: int, name: str
) -> Callable[[Callable[[DemoContext], None]], Callable[[DemoContext], None]]:
    """Register a demo generator."""

    def wrap(func: Callable[[DemoContext], None]) -> Callable[[DemoContext], None]:
        if not any(g.func is func for g in GENERATORS):
            GENERATORS.append(Generator(order, name, func))
        return func

    return wrap


def ordered() -> list[Generator]:
    """Return the registered generators in run order."""
    return sorted(GENERATORS, key=lambda g: (g.order, g.name))


def demo_logins(ctx_users: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Return (username, role labels, organisation) for the printed login table."""
    rows = []
    for user in ctx_users.values():
        rows.append((user.username, "、".join(user.role_labels), user.organisation.name))
    return rows
