"""The demo reproduces the speech's provincial comparison for 2021 and computes the example."""

from __future__ import annotations

import pytest

from dudao.accounts.models import User
from dudao.demo.services import load_demo
from dudao.evaluation import selectors
from dudao.evaluation.models import Result, StarAward
from dudao.parks.models import Park

pytestmark = pytest.mark.django_db


def test_demo_matches_the_speech() -> None:
    load_demo(scale="city", log=lambda _line: None)
    leader = User.objects.get(username="demo_leader")
    regime = selectors.get_regime_by_code(leader, "HN-CJQ-2017")
    rows = {r.label: r for r in selectors.comparison(leader, regime, 2021, min_stars=2)}
    ours = rows["示范市"]
    assert ours.ours
    assert (ours.counts["strong"], ours.starred, ours.counts["fast"]) == (1, 3, 0)
    assert ours.park_names["strong"] == ["高新区"]
    assert ours.counts["advanced"] == 1
    assert (rows["郑州市"].counts["strong"], rows["郑州市"].starred) == (3, 7)
    assert (rows["焦作市"].starred, rows["焦作市"].counts["fast"]) == (6, 2)
    assert rows["新乡市"].starred == 5
    assert rows["商丘市"].counts["fast"] == 3
    assert sum(r.counts["strong"] for r in rows.values()) == 10
    assert sum(r.counts["fast"] for r in rows.values()) == 10
    # Every park of the province has three years of results; names say they are fictional.
    assert Park.objects.filter(code__startswith="DEMO-", name__endswith="（演示）").count() == 180
    assert Result.objects.filter(regime=regime).count() == 3 * Park.objects.count()
    assert StarAward.objects.filter(regime=regime, year=2021).exists()
    example = Result.objects.filter(regime__code="SFS-DEMO", year=2021)
    assert example.count() == 18
    assert all(r.detail["items"] for r in example)
