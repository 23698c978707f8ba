"""The GB/T 2260 snapshot (Henan): loaded by migration, reloadable, strict about bad lines."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from dudao.audit.models import AuditEvent
from dudao.regions.loader import DATA_FILE, SOURCE_REVISION, load_regions, read_rows
from dudao.regions.models import Region
from dudao.testing import World

HEADER = "code,name,level,parent_code\n"


def test_it_reads_175_rows_from_the_snapshot() -> None:
    rows = read_rows()
    assert len(rows) == 175
    assert len({r.code for r in rows}) == 175
    assert rows[0].code == "410000"
    assert sum(r.level == "prefecture" for r in rows) == 17


@pytest.mark.django_db
def test_it_loads_the_snapshot_by_migration() -> None:
    assert Region.objects.count() == 175
    jiyuan = Region.objects.get(code="419001")
    assert (jiyuan.name, jiyuan.level, jiyuan.parent_id) == ("济源市", "county", "410000")
    assert Region.objects.get(code="410100").parent_id == "410000"
    assert Region.objects.filter(is_current=True, source_revision=SOURCE_REVISION).count() == 175
    assert str(Region.objects.get(code="410000")) == "河南省（410000）"


@pytest.mark.django_db
def test_it_reloads_idempotently_and_audits_the_command() -> None:
    assert load_regions(Region) == (0, 0)
    out = StringIO()
    call_command("load_regions", stdout=out)
    assert out.getvalue() == "行政区划：新增 0 条，更新 0 条。\n"
    event = AuditEvent.objects.filter(action="regions.load").get()
    assert (event.actor, event.actor_name, event.object_repr, event.after) == (
        None,
        "system",
        DATA_FILE.name,
        {"created": 0, "updated": 0, "revision": SOURCE_REVISION},
    )
    assert Region.objects.count() == 175


@pytest.mark.django_db
def test_it_repairs_a_changed_row_and_retires_a_vanished_code(tmp_path: Path) -> None:
    Region.objects.filter(code="419001").update(name="济源")
    assert load_regions(Region) == (0, 1)
    assert Region.objects.get(code="419001").name == "济源市"

    lines = DATA_FILE.read_text(encoding="utf-8").splitlines(keepends=True)
    smaller = tmp_path / "smaller.csv"
    smaller.write_text("".join(line for line in lines if not line.startswith("419001")))
    assert load_regions(Region, smaller) == (0, 1)
    jiyuan = Region.objects.get(code="419001")  # kept for history, not current any more
    assert jiyuan.is_current is False
    assert load_regions(Region) == (0, 1)
    assert Region.objects.get(code="419001").is_current is True


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "410000,河南省,province,\n410100,郑州市,prefecture,410000\n41010X,中原区,county,410100\n",
            "broken.csv 第4行：区划代码 '41010X' 不是6位数字",
        ),
        (
            "410000,河南省,province,\n410100,郑州市,city,410000\n",
            "broken.csv 第3行：级别 'city' 无效",
        ),
        (
            "410000,河南省,province,\n410102,中原区,county,410100\n",
            "broken.csv 第3行：上级代码 410100 未在前面出现",
        ),
        ("4100000,河南省,province,\n", "broken.csv 第2行：区划代码 '4100000' 不是6位数字"),
    ],
    ids=["bad-code", "bad-level", "unknown-parent", "seven-digits"],
)
def test_it_names_the_line_of_a_broken_csv(tmp_path: Path, body: str, message: str) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_text(HEADER + body, encoding="utf-8")
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        read_rows(broken)


@pytest.mark.django_db
def test_it_serves_regions_to_every_logged_in_user(client: Client, world: World) -> None:
    client.force_login(world.park_reporter)
    detail = client.get(reverse("api:region_detail", kwargs={"code": "419001"}))
    assert detail.json() == {
        "code": "419001",
        "name": "济源市",
        "level": "county",
        "parent_code": "410000",
        "is_current": True,
    }
    children = client.get(reverse("api:region_list"), {"parent": "410000", "limit": "100"}).json()
    assert children["count"] == 18  # 17 prefectures and 济源, directly under the province
    assert client.get(reverse("api:region_detail", kwargs={"code": "999999"})).status_code == 404
