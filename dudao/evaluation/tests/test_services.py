"""Services: role checks, audit events, computation, published lists, titles and stars."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dudao.audit.models import AuditEvent
from dudao.core.exceptions import DomainError, NotAllowed, StaleObject
from dudao.evaluation import services
from dudao.evaluation.models import InputValue, Result, ResultSet, StarAward, Title
from dudao.evaluation.services import PublishedRow, StarRow, TitleRow
from dudao.evaluation.tests.factories import make_park, make_parks, make_regime
from dudao.testing import World

D = Decimal

pytestmark = pytest.mark.django_db


def events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def test_only_the_supervisor_configures(world: World) -> None:
    for actor in (world.city_leader, world.county_a_reporter, world.sysadmin):
        with pytest.raises(NotAllowed, match="只有督查员可以执行此操作。"):
            services.create_regime(actor=actor, code="X", name="X", first_year=2020)


def test_regime_edit_is_audited_and_stale_edit_refused(world: World) -> None:
    regime = make_regime(world.city_supervisor)
    regime = services.update_regime(
        actor=world.city_supervisor, regime=regime, version=1, name="新名称"
    )
    assert regime.version == 2
    event = AuditEvent.objects.filter(action="evaluation.regime_update").get()
    assert event.before == {"name": "测试考评办法T2017"}
    assert event.after == {"name": "新名称"}
    with pytest.raises(StaleObject):
        services.update_regime(actor=world.city_supervisor, regime=regime, version=1, name="x")


def test_indicator_with_bad_parameters_is_refused(world: World) -> None:
    regime = make_regime(world.city_supervisor)
    with pytest.raises(DomainError, match="基准值必须大于0") as exc:
        services.save_indicator(
            actor=world.city_supervisor,
            regime=regime,
            code="x",
            name="x",
            method="ratio",
            weight=D(1),
            params={"benchmark": "0"},
        )
    assert exc.value.field == "params"
    with pytest.raises(DomainError, match="否决事项使用"):
        services.save_indicator(
            actor=world.city_supervisor,
            regime=regime,
            code="veto",
            name="x",
            method="ratio",
            weight=D(1),
            params={"benchmark": "1"},
        )


def test_inputs_are_written_once_and_audited_once(world: World) -> None:
    regime = make_regime(world.city_supervisor)
    a, b = make_parks(2)
    values = {(a.pk, "tax"): D("12.5"), (b.pk, "tax"): D(8), (a.pk, "veto"): D(0)}
    changes = services.set_inputs(
        actor=world.city_supervisor, regime=regime, year=2020, values=values
    )
    assert (changes.created, changes.updated) == (3, 0)
    assert events("evaluation.inputs_set") == 1
    again = services.set_inputs(
        actor=world.city_supervisor, regime=regime, year=2020, values=values
    )
    assert again.changed == 0
    assert again.unchanged == 3
    assert events("evaluation.inputs_set") == 1  # nothing changed, nothing recorded
    services.set_inputs(
        actor=world.city_supervisor,
        regime=regime,
        year=2020,
        values={(a.pk, "tax"): D(13), (b.pk, "tax"): None},
    )
    assert InputValue.objects.get(park=a, code="tax").value == D(13)
    assert not InputValue.objects.filter(park=b, code="tax").exists()
    event = AuditEvent.objects.filter(action="evaluation.inputs_set").latest("id")
    assert event.before == {f"{a.pk}:tax": "12.5000", f"{b.pk}:tax": "8.0000"}


@pytest.mark.parametrize(
    ("year", "values", "message"),
    [
        (2018, {"tax": D(1)}, "2018年不在"),
        (2099, {"tax": D(1)}, "2099年尚未到来"),
        (2020, {"nope": D(1)}, "没有这些指标或否决事项编码：nope"),
        (2020, {"veto": D(2)}, "只能填 1（有）或 0（无）"),
    ],
)
def test_bad_inputs_are_refused(
    world: World, year: int, values: dict[str, D], message: str
) -> None:
    regime = make_regime(world.city_supervisor)
    park = make_park()
    with pytest.raises(DomainError, match=message):
        services.set_inputs(
            actor=world.city_supervisor,
            regime=regime,
            year=year,
            values={(park.pk, k): v for k, v in values.items()},
        )
    assert not InputValue.objects.exists()


def _enter(world: World, regime: object, year: int, rows: dict[object, dict[str, str]]) -> None:
    values = {(p.pk, code): D(v) for p, codes in rows.items() for code, v in codes.items()}  # type: ignore[attr-defined]
    services.set_inputs(actor=world.city_supervisor, regime=regime, year=year, values=values)  # type: ignore[arg-type]


def test_compute_keeps_every_intermediate_number(world: World) -> None:
    sup = world.city_supervisor
    regime = make_regime(sup)
    a, b, c = make_parks(3)
    _enter(
        world,
        regime,
        2020,
        {
            a: {"tax": "12", "fai": "150", "env": "1"},  # 72 + 48 − 0.5 = 119.5
            b: {"tax": "10", "fai": "100"},  # 60 + 40 = 100
            c: {"tax": "20", "fai": "100", "veto": "1"},  # excluded from ranking
        },
    )
    result_set = services.compute_results(actor=sup, regime=regime, year=2020)
    assert result_set.source == ResultSet.Source.COMPUTED
    assert result_set.parks == 3
    ra = Result.objects.get(park=a, year=2020)
    assert (ra.score, ra.rank, ra.items_total, ra.deduction) == (D("119.5"), 1, D(120), D("0.5"))
    items = {i["code"]: i for i in ra.detail["items"]}
    assert items["tax"]["formula"] == "12 ÷ 基准值 10 × 权重 60 = 72"
    assert items["fai"]["factor"] == "1.2000"
    assert ra.detail["total"] == "指标得分合计 120.0000 + 加分 0 − 减分 0.5000 = 119.50"
    rc = Result.objects.get(park=c, year=2020)
    assert rc.rank is None
    assert rc.excluded
    assert rc.veto_reasons == "重大安全事故"
    assert events("evaluation.compute") == 1
    titles = Title.objects.filter(year=2020, kind="strong").values_list("park_id", flat=True)
    assert set(titles) == {a.pk, b.pk}  # the excluded park is not ranked, so not 十强


def test_fast_titles_follow_rank_gains_and_next_year_is_rederived(world: World) -> None:
    sup = world.city_supervisor
    regime = make_regime(sup)
    regime = services.update_regime(actor=sup, regime=regime, strong_size=1, fast_size=1)
    parks = make_parks(4)
    for year, taxes in ((2020, [40, 30, 20, 10]), (2021, [10, 30, 20, 40])):
        _enter(world, regime, year, {p: {"tax": str(t)} for p, t in zip(parks, taxes, strict=True)})
        services.compute_results(actor=sup, regime=regime, year=year)
    last = parks[3]
    r = Result.objects.get(park=last, year=2021)
    assert (r.prev_rank, r.rank, r.rank_gain) == (4, 1, 3)
    fast = Title.objects.get(year=2021, kind="fast")
    assert fast.park_id == last.pk
    assert fast.basis == "位次由第4位升至第1位（提升3位）"
    assert Title.objects.get(year=2021, kind="strong").park_id == last.pk
    # Recomputing 2020 with other values re-derives 2021's rank changes at once.
    _enter(world, regime, 2020, {last: {"tax": "50"}})
    services.compute_results(actor=sup, regime=regime, year=2020)
    assert Result.objects.get(park=last, year=2021).rank_gain == 0


def test_published_results_win_and_are_idempotent(world: World) -> None:
    sup = world.city_supervisor
    regime = make_regime(sup)
    a, b = make_parks(2)
    rows = [PublishedRow(a, D("91.2"), 1), PublishedRow(b, D("88"), 2)]
    first = services.publish_results(
        actor=sup, regime=regime, year=2021, rows=rows, source_doc="豫集聚办〔2022〕1号"
    )
    assert first.created == 2
    again = services.publish_results(
        actor=sup, regime=regime, year=2021, rows=rows, source_doc="豫集聚办〔2022〕1号"
    )
    assert again.changed == 0
    assert events("evaluation.publish") == 1
    _enter(world, regime, 2021, {a: {"tax": "1"}})
    with pytest.raises(DomainError, match="已导入省级公布的结果"):
        services.compute_results(actor=sup, regime=regime, year=2021)
    result_set = ResultSet.objects.get(year=2021)
    services.delete_result_set(actor=sup, result_set=result_set, reason="重新核算")
    assert not Result.objects.exists()
    assert not Title.objects.exists()


def test_titles_and_stars_are_imported_as_facts(world: World) -> None:
    sup = world.city_supervisor
    regime = make_regime(sup)
    park = make_park()
    rows = [TitleRow(regime, 2021, park, "advanced", "豫政〔2022〕3号")]
    assert services.import_titles(actor=sup, rows=rows).created == 1
    assert services.import_titles(actor=sup, rows=rows).changed == 0
    stars = [StarRow(regime, 2021, park, 3, first_time=True)]
    assert services.import_stars(actor=sup, rows=stars).created == 1
    assert services.import_stars(actor=sup, rows=[StarRow(regime, 2021, park, 4)]).updated == 1
    assert StarAward.objects.get().level == 4
    with pytest.raises(DomainError, match="星级应在1到6之间"):
        services.import_stars(actor=sup, rows=[StarRow(regime, 2021, park, 7)])
    assert events("evaluation.titles_import") == 1
    assert events("evaluation.stars_import") == 2


def test_star_rules_give_eligibility_apart_from_awards(world: World) -> None:
    sup = world.city_supervisor
    regime = make_regime(sup)
    a, b = make_parks(2)
    _enter(world, regime, 2020, {a: {"tax": "12", "fai": "100"}, b: {"tax": "5", "fai": "50"}})
    services.compute_results(actor=sup, regime=regime, year=2020)
    assert set(Result.objects.values_list("star_eligible", flat=True)) == {None}
    services.save_star_rule(
        actor=sup,
        regime=regime,
        level=2,
        min_score=D(100),
        conditions=[{"indicator": "tax", "min": "10"}],
    )
    assert Result.objects.get(park=a).star_eligible == 2
    assert Result.objects.get(park=b).star_eligible is None
    assert not StarAward.objects.exists()  # eligibility is never an award
    with pytest.raises(DomainError, match="不属于本体系"):
        services.save_star_rule(
            actor=sup, regime=regime, level=3, conditions=[{"indicator": "zz", "min": "1"}]
        )
