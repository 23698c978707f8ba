from __future__ import annotations

import io
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from django.core.cache import cache

if TYPE_CHECKING:
    from collections.abc import Iterator

    from dudao.projects.models import Project, ReportPhoto
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


def add_photo(world: World, project: Project, month: int = 2) -> ReportPhoto:
    """A site photo uploaded with GPS coordinates in its EXIF (stripped on upload)."""
    from PIL import Image

    from dudao.projects import services as project_services
    from dudao.projects.testing import report

    r = report(world, project, month, "10")
    exif = Image.Exif()
    exif[0x8825] = {2: (39.0, 54.0, 0.0)}  # GPS IFD
    buf = io.BytesIO()
    Image.new("RGB", (80, 60), "green").save(buf, "JPEG", exif=exif)
    return project_services.add_report_photo(
        actor=world.county_a_reporter, report=r, data=buf.getvalue(), filename="现场.jpg"
    )
