"""Import of existing ledgers (Excel and CSV: dry run, all-or-nothing, idempotent) and the API."""

from __future__ import annotations

import datetime as dt
import io
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dudao.audit.models import AuditEvent
from dudao.core.imports import ImportRejected
from dudao.core.xlsx import Column, Sheet, workbook_bytes
from dudao.problems.importers import OPTIONAL, REQUIRED, import_problems
from dudao.problems.models import Problem
from dudao.problems.tests.factories import make_problem, photo_bytes, walk
from dudao.testing import World

pytestmark = pytest.mark.django_db
HEADERS = [*REQUIRED, *OPTIONAL]


def _row(legacy: str, **kw: object) -> list[object]:
    future = timezone.localdate() + dt.timedelta(days=40)
    values: dict[str, object] = {
        "原台账编号": legacy,
        "问题来源": "审计",
        "问题类别": "资金",
        "问题": f"专项资金拨付滞后（{legacy}）",
        "责任单位编码": "SFS-A",
        "整改时限": future,
        "严重程度": "较重",
        **kw,
    }
    return [values.get(h) for h in HEADERS]


def _xlsx(rows: list[list[object]]) -> bytes:
    return workbook_bytes([Sheet("问题台账", [Column(h) for h in HEADERS], rows)])


def test_an_excel_ledger_imports_after_a_dry_run_and_a_second_run_changes_nothing(
    world: World,
) -> None:
    closed_on = timezone.localdate() - dt.timedelta(days=3)
    data = _xlsx(
        [
            _row("SJ-2026-001"),
            _row("SJ-2026-002", 责任单位编码="SFS-A-P1", 状态="整改中"),
            _row(
                "SJ-2026-003",
                整改时限=closed_on - dt.timedelta(days=2),
                状态="已销号",
                销号日期=closed_on,
            ),
        ]
    )
    actor = world.city_supervisor
    dry = import_problems(data, filename="台账.xlsx", actor=actor, dry_run=True)
    assert (dry.created, dry.dry_run) == (3, True)
    assert not Problem.objects.exists()
    report = import_problems(data, filename="台账.xlsx", actor=actor, dry_run=False)
    assert (report.rows, report.created, report.updated) == (3, 3, 0)
    closed = Problem.objects.get(legacy_code="SJ-2026-003")
    assert (closed.status, closed.closed_on_time, closed.days_late) == ("closed", False, 2)
    assert Problem.objects.get(legacy_code="SJ-2026-002").responsible_org == world.park_a
    events = AuditEvent.objects.count()
    again = import_problems(data, filename="台账.xlsx", actor=actor, dry_run=False)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert again.summary() == "共 3 行，与系统中的数据完全一致，未做任何修改。"
    assert AuditEvent.objects.count() == events
    changed = _xlsx([_row("SJ-2026-001", 问题="专项资金拨付滞后（已核实金额）")])
    update = import_problems(changed, filename="台账.xlsx", actor=actor, dry_run=False)
    assert update.updated == 1
    assert Problem.objects.get(legacy_code="SJ-2026-001").title == "专项资金拨付滞后（已核实金额）"


def test_one_bad_row_rejects_the_whole_file_with_every_error(world: World) -> None:
    data = _xlsx(
        [
            _row("X-1"),
            _row("X-2", 问题来源="网络", 责任单位编码="SFS-B"),
            _row("X-1"),
            _row("X-4", 整改时限="明年", 状态="已销号"),
        ]
    )
    with pytest.raises(ImportRejected) as exc:
        import_problems(data, filename="a.xlsx", actor=world.county_a_reviewer, dry_run=False)
    messages = [str(e) for e in exc.value.errors]
    assert any(m.startswith("第3行「问题来源」列：「网络」不是可选值") for m in messages)
    assert "第3行「责任单位编码」列：单位编码「SFS-B」不存在或不在您的数据范围内。" in messages
    assert "第4行「原台账编号」列：与第2行重复：「X-1」。" in messages
    assert any(m.startswith("第5行「整改时限」列：应为日期") for m in messages)
    assert "第5行「销号日期」列：状态为已销号时必须填写销号日期。" in messages
    assert not Problem.objects.exists()


def test_a_gbk_csv_imports_too(world: World) -> None:
    lines = [",".join(HEADERS[:6]), "CSV-1,环保督察,环评,园区废气超标,SFS-A-P1,2099-12-31"]
    data = "\r\n".join(lines).encode("gbk")
    report = import_problems(data, filename="台账.csv", actor=world.city_supervisor, dry_run=False)
    assert report.created == 1
    assert Problem.objects.get(legacy_code="CSV-1").source == "environment"


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "a.csv", "文件为空。"),
        (b"MZ\x00\x01", "a.exe", "只能导入 Excel（.xlsx）或 CSV 文件。"),
        (b"\xd0\xcf\x11\xe0 old xls", "a.xlsx", "文件不是 Excel（.xlsx）格式"),
        ("编号,问题\n1,2".encode(), "a.csv", "缺少列：原台账编号"),
    ],
)
def test_a_wrong_file_is_refused(world: World, data: bytes, filename: str, message: str) -> None:
    with pytest.raises(ImportRejected) as exc:
        import_problems(data, filename=filename, actor=world.city_supervisor, dry_run=False)
    assert message in str(exc.value.errors[0])


def test_the_command_line_import(world: World, tmp_path: object) -> None:
    path = tmp_path / "台账.xlsx"  # type: ignore[operator]
    path.write_bytes(_xlsx([_row("CLI-1")]))
    out = StringIO()
    call_command("import", "problems", str(path), "--as", "supervisor", "--json", stdout=out)
    assert json.loads(out.getvalue())["created"] == 1
    bad = tmp_path / "bad.xlsx"  # type: ignore[operator]
    bad.write_bytes(_xlsx([_row("CLI-2", 问题类别="不存在")]))
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import", "problems", str(bad), "--as", "supervisor", stderr=StringIO())


def test_the_import_page(client: Client, world: World) -> None:
    client.force_login(world.city_supervisor)
    template = client.get(reverse("problems:import_template"))
    assert template.status_code == 200
    upload = io.BytesIO(_xlsx([_row("WEB-1")]))
    upload.name = "台账.xlsx"
    r = client.post(reverse("problems:import"), {"file": upload})
    assert "将新增 1 条" in r.content.decode()
    r = client.post(reverse("problems:import"), {"token": r.context["flow"].token})
    assert "已新增 1 条" in r.content.decode()


# --- API ----------------------------------------------------------------------------------------


def test_the_api_workflow(client: Client, world: World) -> None:
    client.force_login(world.city_supervisor)
    deadline = (timezone.localdate() + dt.timedelta(days=15)).isoformat()
    categories = client.get(reverse("api:problem_category_list")).json()
    land = next(c for c in categories if c["code"] == "land")
    r = client.post(
        reverse("api:problem_list"),
        {
            "source": "inspection",
            "category_id": land["id"],
            "title": "观摩发现：项目用地未报批",
            "responsible_org_id": world.county_a.pk,
            "deadline": deadline,
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    pk = body["id"]
    assert (body["status"], body["timeline"][0]["action"]) == ("assigned", "create")

    county = Client()
    county.force_login(world.county_a_reporter)
    url = reverse("api:problem_transition", args=[pk])
    r = county.post(url, {"action": "start", "version": 1}, content_type="application/json")
    assert r.status_code == 200
    assert r.json()["status"] == "fixing"
    r = county.post(
        reverse("api:problem_evidence_upload", args=[pk]),
        {"stage": "after", "file": _named(photo_bytes(), "after.jpg")},
    )
    assert r.status_code == 201, r.content
    r = county.post(
        url, {"action": "apply", "version": 2, "note": "完成"}, content_type="application/json"
    )
    assert r.json()["allowed_actions"] == []
    stale = client.post(
        url, {"action": "close", "version": 2, "note": "好"}, content_type="application/json"
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale"
    assert stale.json()["error"]["details"]["version"] == 3
    r = client.post(
        url, {"action": "close", "version": 3, "note": "好"}, content_type="application/json"
    )
    assert r.json()["status"] == "closed"
    assert r.json()["closed_on_time"] is True

    other = Client()
    other.force_login(world.county_b_reporter)
    assert other.get(reverse("api:problem_detail", args=[pk])).status_code == 404
    listed = other.get(reverse("api:problem_list")).json()
    assert listed["count"] == 0


def _named(data: bytes, name: str) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def test_the_api_refuses_verification_by_the_fixing_unit_and_bad_transitions(
    client: Client, world: World
) -> None:
    problem = walk(world, make_problem(world, world.county_a), Problem.Status.APPLIED)
    client.force_login(world.county_a_reviewer)
    url = reverse("api:problem_transition", args=[problem.pk])
    r = client.post(
        url,
        {"action": "close", "version": problem.version, "note": "好"},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert "核查必须由整改单位以外的单位进行" in r.json()["error"]["message"]
    r = client.post(
        url, {"action": "start", "version": problem.version}, content_type="application/json"
    )
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "invalid_transition"


def test_the_api_list_filters(client: Client, world: World) -> None:
    make_problem(world, world.county_a, severity="critical")
    make_problem(world, world.county_b)
    client.force_login(world.city_supervisor)
    r = client.get(reverse("api:problem_list"), {"severity": "critical"})
    assert r.json()["count"] == 1
    item = r.json()["items"][0]
    assert (item["overdue"], item["days_late"], item["responsible_org"]) == (
        False,
        0,
        "甲县人民政府",
    )
    r = client.get(
        reverse("api:problem_list"), {"county": str(world.county_b.pk), "overdue": "false"}
    )
    assert r.status_code == 200
