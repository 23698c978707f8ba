"""Bulletins for tests, made through the real services."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from dudao.bulletins import services
from dudao.core.periods import Period

if TYPE_CHECKING:
    from dudao.bulletins.models import Bulletin
    from dudao.orgs.models import Organisation
    from dudao.testing import World

PERIOD = Period.month(2026, 3)


def draft(world: World, scope: Organisation | None = None, kind: str = "projects") -> Bulletin:
    return services.make_draft(actor=world.city_supervisor, kind=kind, period=PERIOD, scope=scope)


def issued(world: World, scope: Organisation | None = None, kind: str = "projects") -> Bulletin:
    """A bulletin drafted by the city supervisor, sent, and signed by the city leader."""
    b = draft(world, scope, kind)
    b = services.submit(actor=world.city_supervisor, bulletin=b, version=b.version)
    return services.approve(actor=world.city_leader, bulletin=b, version=b.version)


def projects_with_data(world: World) -> None:
    """Two projects in county A (plan 2.0亿元 each), one March report approved."""
    from dudao.projects.testing import make_project, report

    p1 = make_project(world)
    make_project(world)
    for month, amount in ((1, "1000"), (2, "1000"), (3, "2000")):
        report(world, p1, month, Decimal(amount), status="approved")
