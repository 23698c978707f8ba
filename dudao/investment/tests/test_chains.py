"""产业图谱: nodes with GB/T 4754 codes and coverage, anchors with a checked USCC, targets, deals
attached to nodes, and the graph (only the deals in the reader's scope are counted)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dudao.core.exceptions import DomainError, NotAllowed
from dudao.investment import selectors, services
from dudao.investment.models import IndustryChain
from dudao.investment.tests.factories import VALID_USCC, make_deal
from dudao.testing import World

pytestmark = pytest.mark.django_db


def test_chain_nodes_enterprises_and_the_graph(world: World) -> None:
    chain = IndustryChain.objects.create(name="装备制造", kind="leading", organisation=world.city)
    with pytest.raises(NotAllowed):
        services.add_chain_node(
            actor=world.county_a_reporter,
            chain=chain,
            segment="mid",
            name="数控机床",
            coverage="gap",
        )
    with pytest.raises(DomainError, match="4 位"):
        services.add_chain_node(
            actor=world.city_supervisor,
            chain=chain,
            segment="mid",
            name="数控机床",
            coverage="gap",
            industry_code="C34",
        )
    node = services.add_chain_node(
        actor=world.city_supervisor,
        chain=chain,
        segment="mid",
        name="数控机床",
        coverage="gap",
        industry_code="3421",
    )
    with pytest.raises(DomainError, match="统一社会信用代码"):
        services.add_chain_enterprise(
            actor=world.city_supervisor,
            node=node,
            role="anchor",
            name="示范机床",
            uscc="91110000600037341X",
        )
    with pytest.raises(DomainError, match="须填写统一社会信用代码"):
        services.add_chain_enterprise(
            actor=world.city_supervisor, node=node, role="anchor", name="示范机床"
        )
    services.add_chain_enterprise(
        actor=world.city_supervisor,
        node=node,
        role="anchor",
        name="示范机床",
        uscc=VALID_USCC.lower(),
    )
    services.add_chain_enterprise(
        actor=world.city_supervisor, node=node, role="target", name="江南数控", is_fortune500=True
    )
    make_deal(world, chain_node=node)
    make_deal(world, world.county_b_drc, chain_node=node)
    mine = selectors.chain_graph(world.county_a_reporter, chain)
    assert mine["rows"][0]["deals"] == 1
    assert mine["rows"][0]["anchors"] == ["示范机床"]
    assert mine["rows"][0]["targets"] == ["江南数控"]
    city = selectors.chain_graph(world.city_supervisor, chain)
    assert city["rows"][0]["deals"] == 2
    graph_node = next(n for n in city["graph"]["nodes"] if n["id"] == f"node-{node.pk}")
    assert graph_node["itemStyle"]["color"] == "#c62828"  # 缺链 red
    assert {"source": "seg-mid", "target": f"node-{node.pk}"} in city["graph"]["links"]
    client = Client()
    client.force_login(world.county_a_reporter)
    page = client.get(reverse("investment:chains")).content.decode()
    assert "数控机床" in page
    assert 'id="chain-graph"' in page


def test_a_deal_node_must_belong_to_its_chain(world: World) -> None:
    a = IndustryChain.objects.create(name="装备制造", kind="leading", organisation=world.city)
    b = IndustryChain.objects.create(name="食品", kind="distinctive", organisation=world.city)
    node = services.add_chain_node(
        actor=world.city_supervisor, chain=a, segment="up", name="铸锻件", coverage="strong"
    )
    with pytest.raises(DomainError, match="不属于"):
        make_deal(world, chain=b, chain_node=node)
    deal = make_deal(world, chain_node=node)
    assert deal.chain == a
