"""The organisation tree: scope of writes, moves that rewrite paths, stale edits, USCC."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dudao.accounts.models import User
from dudao.audit.models import AuditEvent
from dudao.core.exceptions import DomainError, StaleObject
from dudao.core.roles import Role
from dudao.orgs.models import Organisation
from dudao.orgs.services import (
    create_organisation,
    move_organisation,
    normalise_uscc,
    update_organisation,
)
from dudao.testing import World, add_user, make_organisation

pytestmark = pytest.mark.django_db

K = Organisation.Kind


def _codes(user: User) -> list[str]:
    return sorted(Organisation.objects.visible_to(user).values_list("code", flat=True))


def test_it_refuses_a_parent_outside_the_actors_scope(world: World) -> None:
    county_sysadmin = add_user(world, world.county_a, Role.SYSADMIN)
    count = Organisation.objects.count()
    events = AuditEvent.objects.count()
    with pytest.raises(DomainError) as info:
        create_organisation(
            actor=county_sysadmin,
            name="越界单位",
            code="X1",
            kind=K.DEPARTMENT,
            parent=world.county_b,
        )
    assert (info.value.message, info.value.field) == (
        "上级单位不存在或不在您的管理范围内。",
        "parent",
    )
    assert (Organisation.objects.count(), AuditEvent.objects.count()) == (count, events)
    inside = create_organisation(
        actor=county_sysadmin,
        name="甲县商务局",
        code="SFS-A-SWJ",
        kind=K.COMMERCE,
        parent=world.county_a,
    )
    assert inside.path == f"{world.county_a.path}{inside.pk:06d}."


def test_it_requires_a_parent(world: World) -> None:
    with pytest.raises(DomainError, match="必须选择上级单位。"):
        create_organisation(
            actor=world.sysadmin, name="第二个根", code="ROOT2", kind=K.CITY_GOV, parent=None
        )


def test_it_derives_path_depth_and_scope_from_the_parent_and_kind(world: World) -> None:
    assert (world.city.depth, world.county_a.depth, world.county_a_drc.depth) == (1, 2, 3)
    assert (
        world.county_a_drc.path
        == f"{world.city.path}{world.county_a.pk:06d}.{world.county_a_drc.pk:06d}."
    )
    # A functional office sees its government's tree; a government or a park its own.
    assert world.county_a_drc.scope_path == world.county_a.path
    assert world.supervision_office.scope_path == world.city.path
    assert world.park_a.scope_path == world.park_a.path
    assert world.county_a.scope_path == world.county_a.path


@pytest.mark.parametrize(
    ("actor", "codes"),
    [
        ("county_a_reporter", ["SFS-A", "SFS-A-FGW", "SFS-A-P1"]),
        ("county_a_reviewer", ["SFS-A", "SFS-A-FGW", "SFS-A-P1"]),
        ("park_reporter", ["SFS-A-P1"]),
        ("county_b_reporter", ["SFS-B", "SFS-B-FGW", "SFS-B-P1"]),
        ("city_supervisor", "all"),
        ("city_leader", "all"),
        ("judge", "all"),
        ("sysadmin", "all"),
    ],
)
def test_it_scopes_organisations_to_the_scope_roots_subtree(
    world: World, actor: str, codes: list[str] | str
) -> None:
    everything = sorted(Organisation.objects.values_list("code", flat=True))
    assert len(everything) == 9
    assert _codes(getattr(world, actor)) == (everything if codes == "all" else codes)


def test_it_scopes_nothing_for_an_inactive_user_or_organisation(world: World) -> None:
    reporter = world.county_a_reporter
    reporter.is_active = False
    assert _codes(reporter) == []
    update_organisation(actor=world.sysadmin, org=world.county_a_drc, is_active=False)
    assert _codes(User.objects.get(pk=reporter.pk)) == []


def test_it_moves_a_subtree_and_rewrites_paths_and_scopes(world: World) -> None:
    office = make_organisation(
        world.sysadmin, parent=world.park_a, name="园区经济发展局", code="SFS-A-P1-JFJ"
    )
    grandchild = make_organisation(
        world.sysadmin, parent=office, name="园区项目服务中心", code="SFS-A-P1-JFJ-XM"
    )
    version = world.park_a.version

    moved = move_organisation(actor=world.sysadmin, org=world.park_a, new_parent=world.county_b)

    park_path = f"{world.county_b.path}{world.park_a.pk:06d}."
    assert (moved.parent_id, moved.path, moved.depth, moved.scope_path) == (
        world.county_b.pk,
        park_path,
        3,
        park_path,
    )
    assert moved.version == version + 1
    office.refresh_from_db()
    grandchild.refresh_from_db()
    assert (office.path, office.depth, office.scope_path) == (
        f"{park_path}{office.pk:06d}.",
        4,
        park_path,  # a department sees its parent's (the park's) tree
    )
    assert (grandchild.path, grandchild.depth, grandchild.scope_path) == (
        f"{park_path}{office.pk:06d}.{grandchild.pk:06d}.",
        5,
        f"{park_path}{office.pk:06d}.",
    )
    # Nothing else moved, and the scopes follow the tree.
    assert Organisation.objects.filter(path__startswith=world.county_a.path).count() == 2
    assert "SFS-A-P1" in _codes(world.county_b_reporter)
    assert "SFS-A-P1" not in _codes(world.county_a_reviewer)
    assert _codes(User.objects.get(pk=world.park_reporter.pk)) == [
        "SFS-A-P1",
        "SFS-A-P1-JFJ",
        "SFS-A-P1-JFJ-XM",
    ]


@pytest.mark.parametrize(
    ("org", "new_parent", "message"),
    [
        ("county_a", "park_a", "不能把单位移到它自己或其下级单位之下。"),
        ("county_a", "county_a", "不能把单位移到它自己或其下级单位之下。"),
        ("city", "county_b", "不能移动根单位。"),
    ],
    ids=["under-own-child", "under-itself", "the-root"],
)
def test_it_refuses_an_impossible_move(
    world: World, org: str, new_parent: str, message: str
) -> None:
    paths = list(Organisation.objects.values_list("pk", "path", "scope_path"))
    with pytest.raises(DomainError) as info:
        move_organisation(
            actor=world.sysadmin, org=getattr(world, org), new_parent=getattr(world, new_parent)
        )
    assert info.value.message == message
    assert list(Organisation.objects.values_list("pk", "path", "scope_path")) == paths


def test_it_refuses_a_stale_edit_with_the_current_values(world: World) -> None:
    read_version = world.county_a.version
    update_organisation(
        actor=world.sysadmin, org=world.county_a, version=read_version, short_name="甲县"
    )
    with pytest.raises(StaleObject) as info:
        update_organisation(
            actor=world.sysadmin, org=world.county_a, version=read_version, short_name="旧值"
        )
    error = info.value
    assert (error.status_code, error.code, error.message) == (
        409,
        "stale",
        f"该单位已被他人修改（当前版本 {read_version + 1}），请刷新后重试。",
    )
    # The one 409 body of core.versions (issue 10): {"current": …, "version": n}.
    assert error.details["current"]["short_name"] == "甲县"
    assert error.details["version"] == read_version + 1
    assert Organisation.objects.get(pk=world.county_a.pk).short_name == "甲县"


def test_it_refuses_a_stale_edit_on_the_page(client: Client, world: World) -> None:
    url = reverse("orgs:edit", kwargs={"pk": world.county_a.pk})
    client.force_login(world.sysadmin)
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(name="甲县人民政府（新）", kind="county_gov", scope_base="own", is_active="on")
    update_organisation(actor=world.sysadmin, org=world.county_a, short_name="他人修改")

    response = client.post(url, data)

    assert response.status_code == 200
    (error,) = response.context["form"].non_field_errors()
    assert error.startswith("该单位已被他人修改（当前版本")
    assert Organisation.objects.get(pk=world.county_a.pk).name == "甲县人民政府"

    data["version"] = world.county_a.version + 1
    response = client.post(url, data)
    assert (response.status_code, response["Location"]) == (
        302,
        reverse("orgs:detail", kwargs={"pk": world.county_a.pk}),
    )
    assert Organisation.objects.get(pk=world.county_a.pk).name == "甲县人民政府（新）"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("91110000600037341L", "91110000600037341L"),
        (" 91110000600037341l ", "91110000600037341L"),
        ("", ""),
    ],
)
def test_it_accepts_a_valid_uscc(world: World, raw: str, stored: str) -> None:
    org = update_organisation(actor=world.sysadmin, org=world.park_a, uscc=raw)
    assert org.uscc == stored


@pytest.mark.parametrize(
    "raw",
    ["91110000600037341X", "9111000060003734", "91110000600037341LL", "统一社会信用代码"],
    ids=["check-digit", "too-short", "too-long", "not-a-code"],
)
def test_it_refuses_an_invalid_uscc_in_chinese(raw: str) -> None:
    with pytest.raises(DomainError) as info:
        normalise_uscc(raw)
    assert info.value.message == f"统一社会信用代码“{raw.upper()}”无效（应为18位，且校验位正确）。"
    assert info.value.field == "uscc"


def test_it_refuses_to_deactivate_or_reparent_the_root(world: World) -> None:
    with pytest.raises(DomainError, match="不能停用根单位。"):
        update_organisation(actor=world.sysadmin, org=world.city, is_active=False)
    with pytest.raises(DomainError, match="根单位的数据范围只能是本单位及下级单位。"):
        update_organisation(actor=world.sysadmin, org=world.city, scope_base="parent")
