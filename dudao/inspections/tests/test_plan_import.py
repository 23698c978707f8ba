"""The tour plan import: every error with its row and column, a dry run writes nothing, a
clean file plans the tour through the services (audited), the same file twice is unchanged;
the CLI and the web upload call the same function."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from dudao.accounts.roles import Role
from dudao.audit.models import AuditEvent
from dudao.core.imports import ImportRejected
from dudao.core.xlsx import Column, Sheet, workbook_bytes
from dudao.inspections.models import Judge, Site, Tour, TourGroup, TourUnit
from dudao.inspections.planimport import import_tour_plan, plan_template
from dudao.inspections.tests.factories import make_project, make_tour
from dudao.testing import World, add_user

pytestmark = pytest.mark.django_db

ROUTE = ["观摩组", "带队领导", "带队领导职务", "县（市、区）", "排名分组", "观摩顺序",
         "项目代码", "日期", "开始时间", "结束时间", "讲解人", "讲解人职务"]  # fmt: skip


def _file(route: list[list[Any]], judges: list[list[Any]] | None = None) -> bytes:
    sheets = [Sheet("观摩路线", [Column(h) for h in ROUTE], route)]
    if judges is not None:
        sheets.append(Sheet("评委", [Column("用户名"), Column("观摩组"), Column("回避县")], judges))
    return workbook_bytes(sheets)


def _world(world: World) -> tuple[Tour, str, str]:
    tour = make_tour(world)
    a = make_project(world.county_a)
    b = make_project(world.county_b)
    a.code, b.code = "2026-411600-00-01-000011", "2026-411600-00-01-000012"
    a.save(update_fields=["code"])
    b.save(update_fields=["code"])
    return tour, a.code, b.code


def _rows(world: World, code_a: str, code_b: str) -> list[list[Any]]:
    day = dt.date(2026, 7, 15)
    return [
        ["第一组", "赵明远", "市委书记", world.county_a.code, "县(市)组", 1, code_a, day,
         "09:00", "09:40", "李县长", "县长"],
        ["第一组", "", "", world.county_a.code, "", None, "", day, "10:00", "10:30", "", ""],
        ["第一组", "", "", world.county_b.code, "县(市)组", 2, code_b, day,
         "14:00", "14:40", "", ""],
    ]  # fmt: skip


def test_a_clean_plan_is_dry_run_then_imported_and_is_unchanged_the_second_time(
    world: World,
) -> None:
    tour, code_a, code_b = _world(world)
    judge_a = add_user(world, world.county_a, Role.JUDGE, username="judge_a")
    data = _file(
        _rows(world, code_a, code_b), [[world.judge.username, "第一组", ""], ["judge_a", "", ""]]
    )
    actor = world.city_supervisor
    report = import_tour_plan(data, filename="路线.xlsx", actor=actor, dry_run=True, tour=tour.pk)
    # 1 group + 2 units + 3 sites + 2 judges
    assert (report.created, report.unchanged) == (8, 0)
    assert not Site.objects.exists()
    assert not TourGroup.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="inspections.site").exists()
    report = import_tour_plan(data, filename="路线.xlsx", actor=actor, dry_run=False, tour=tour.pk)
    assert report.created == 8
    sites = list(Site.objects.filter(tour=tour).order_by("slot_start"))
    assert [s.kind for s in sites] == ["project", "county", "project"]
    assert sites[1].title == f"{world.county_a.display_name}工作汇报"
    assert sites[0].presenter_name == "李县长"
    assert Judge.objects.get(tour=tour, user=judge_a).county == world.county_a  # 回避
    assert AuditEvent.objects.filter(action="inspections.site.create").count() == 3
    assert AuditEvent.objects.filter(action="inspections.plan.import").count() == 1
    again = import_tour_plan(data, filename="路线.xlsx", actor=actor, dry_run=False, tour=tour.pk)
    assert (again.created, again.unchanged) == (0, 5)
    assert AuditEvent.objects.filter(action="inspections.plan.import").count() == 1
    # The template carries the plan so far, so a city can extend its own list.
    assert len(plan_template(Tour.objects.get(pk=tour.pk))) > 0


def test_every_error_is_listed_with_its_row_and_column_and_nothing_is_written(
    world: World,
) -> None:
    tour, code_a, _code_b = _world(world)
    day = dt.date(2026, 7, 15)
    rows = [
        ["第一组", "", "", world.county_a.code, "县(市)组", 1, code_a, day, "09:00", "09:40",
         "", ""],
        ["第一组", "赵明远", "市委书记", "SFS-NOPE", "县(市)组", 1, "", day, "9点", "10:30",
         "", ""],
        ["第二组", "钱立新", "市长", world.county_b.code, "开发区组", 1, "", day, "10:00", "10:30",
         "", ""],
        ["第三组", "孙国华", "主任", world.county_b.code, "县(市)组", 1, "没有这个代码",
         dt.date(2026, 8, 1), "10:00", "09:00", "", ""],
    ]  # fmt: skip
    with pytest.raises(ImportRejected) as caught:
        import_tour_plan(
            _file(rows, [["nobody", "", ""]]),
            filename="路线.xlsx",
            actor=world.city_supervisor,
            dry_run=False,
            tour=tour.pk,
        )
    found = {(e.row, e.column): e.message for e in caught.value.errors}
    assert "带队领导" in found[(2, "带队领导")]
    assert "应为时间" in found[(3, "开始时间")]
    assert "排名分组“开发区组”不存在" in found[(4, "排名分组")]
    assert "找不到项目代码" in found[(5, "项目代码")]
    assert "找不到用户名为“nobody”" in found[(2, "用户名")]
    assert found[(2, "用户名")].startswith("「评委」表")
    assert str(caught.value.errors[0]).startswith("第2行「带队领导」列：")
    assert not TourGroup.objects.filter(tour=tour).exists()
    assert not TourUnit.objects.filter(tour=tour).exists()
    assert not AuditEvent.objects.filter(action__startswith="inspections.group").exists()


def test_a_tour_that_started_or_is_out_of_scope_takes_no_plan(world: World) -> None:
    tour, code_a, code_b = _world(world)
    data = _file(_rows(world, code_a, code_b))
    county_supervisor = add_user(world, world.county_a, Role.SUPERVISOR)
    with pytest.raises(ImportRejected, match=f"找不到编号为 {tour.pk} 的观摩活动"):
        import_tour_plan(
            data, filename="x.xlsx", actor=county_supervisor, dry_run=True, tour=tour.pk
        )
    Tour.objects.filter(pk=tour.pk).update(status=Tour.Status.SCORING)
    with pytest.raises(ImportRejected, match="已开始评分"):
        import_tour_plan(
            data, filename="x.xlsx", actor=world.city_supervisor, dry_run=True, tour=tour.pk
        )


def test_the_cli_and_the_web_upload_run_the_same_import(
    client: Client, world: World, tmp_path: Path
) -> None:
    tour, code_a, code_b = _world(world)
    data = _file(_rows(world, code_a, code_b))
    path = tmp_path / "路线.xlsx"
    path.write_bytes(data)
    user = world.city_supervisor.username
    call_command("import", "inspections.plan", str(path), "--as", user, "--tour", str(tour.pk),
                 "--dry-run")  # fmt: skip
    assert not Site.objects.exists()
    with pytest.raises(CommandError, match="不需要 --tour"):
        call_command("import", "inspections.provincial", str(path), "--as", user, "--tour", "1")
    client.force_login(world.city_supervisor)
    url = f"/inspections/{tour.pk}/plan/import/"
    page = client.post(url, {"file": SimpleUploadedFile("路线.xlsx", data), "commit": "0"})
    assert page.status_code == 200
    assert "将新增 6 条" in page.content.decode()
    assert not Site.objects.exists()
    token = page.context["flow"].token
    assert token
    # 确认导入 posts only the token: no second pick of the file
    page = client.post(url, {"token": token})
    assert page.status_code == 200
    assert page.context["flow"].committed
    assert Site.objects.filter(tour=tour).count() == 3
    # a second confirm (double click) imports nothing more
    again = client.post(url, {"token": token})
    assert again.context["flow"].repeated
    assert Site.objects.filter(tour=tour).count() == 3
    # the token is good on this tour's page only
    other = make_tour(world)
    assert client.post(f"/inspections/{other.pk}/plan/import/", {"token": token}).status_code == 404
    client.force_login(world.county_a_reporter)
    assert client.get(url).status_code in (403, 404)
