from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from django.core.cache import cache

if TYPE_CHECKING:
    from collections.abc import Iterator

    from dudao.projects.models import Project
    from dudao.testing import World

LIAISON = "钱演联测试07"
PHONE = "19900001234"
LEADER = "孙演示副县长"


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def published_project(world: World, **extra: Any) -> Project:
    """A city project with internal liaison data, published by the city supervisor."""
    from dudao.opendata import services
    from dudao.projects.testing import make_project, report

    project = make_project(
        world,
        liaison=LIAISON,
        liaison_phone=PHONE,
        lead_leader=LEADER,
        description="建设厂房 3 万平方米",
        builder_name="示范市测试建设有限公司",
        **extra,
    )
    report(world, project, 1, Decimal("1200"), status="approved")
    services.publish(actor=world.city_supervisor, project_id=project.pk)
    return project
