"""`selectors.unit_figures`: the projects' figures other modules (年度目标) ask for, per unit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dudao.projects import selectors
from dudao.projects.models import MonthlyReport
from dudao.projects.testing import make_project, report
from dudao.testing import World

pytestmark = pytest.mark.django_db
APPROVED = MonthlyReport.Status.APPROVED


def test_investment_and_starts_per_county_and_for_the_city(world: World) -> None:
    a1 = make_project(world, actual_start=date(2026, 2, 10))
    a2 = make_project(world, actual_start=date(2025, 11, 1))
    make_project(world, county=world.county_b, actual_start=date(2026, 3, 5))
    report(world, a1, 1, "1000", status=APPROVED)
    report(world, a1, 2, "500.50", status=APPROVED)
    report(world, a2, 2, "200", status=APPROVED)
    report(world, a2, 3, "999")  # a draft does not count
    ids = [world.county_a.pk, world.county_b.pk, world.city.pk]
    invest = selectors.unit_figures(world.city_leader, "ytd_investment", 2026, 3, ids)
    assert invest == {
        world.county_a.pk: Decimal("1700.50"),
        world.county_b.pk: Decimal(0),
        world.city.pk: Decimal("1700.50"),
    }
    assert selectors.unit_figures(world.city_leader, "ytd_investment", 2026, 1, ids)[
        world.county_a.pk
    ] == Decimal("1000.00")
    starts = selectors.unit_figures(world.city_leader, "starts", 2026, 2, ids)
    assert starts[world.county_a.pk] == 1  # a2 started last year
    assert starts.get(world.county_b.pk, Decimal(0)) == 0  # b1 starts in March
    assert starts[world.city.pk] == 1
    # a county sees only itself
    mine = selectors.unit_figures(world.county_a_reviewer, "ytd_investment", 2026, 3, ids)
    assert set(mine) == {world.county_a.pk}
    with pytest.raises(ValueError, match="unknown metric"):
        selectors.unit_figures(world.city_leader, "nonsense", 2026, 3, ids)
