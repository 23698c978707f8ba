"""The Excel round trip as people fill it: untouched template rows are skipped (and counted),
partly filled rows are rejected cell by cell, the 只含本月应报项目 template, and the upload page's
server-side dry-run file (dudao.core.importflow): confirm without a second pick, another user's
token, an expired token, a tampered stored file, a double confirm."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from dudao.audit.models import AuditEvent
from dudao.core import importflow
from dudao.core.imports import SKIPPED_REASON, ImportRejected, RowError
from dudao.projects import importers
from dudao.projects.models import MonthlyReport, Project
from dudao.projects.testing import make_project, report
from dudao.projects.tests.test_views import login
from dudao.testing import World

pytestmark = pytest.mark.django_db
D = Decimal
S = MonthlyReport.Status


@pytest.fixture(autouse=True)
def _staging(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path


def projects(world: World, n: int) -> list[Project]:
    return [make_project(world) for _ in range(n)]


def filled(template: bytes, values: dict[int, dict[str, Any]]) -> bytes:
    """The template with some rows filled in, as a user does in Excel (by project id)."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book[importers.REPORT_SHEET]
    headers = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        pid = row[headers.index(importers.R_ID)].value
        for header, value in values.get(pid, {}).items():
            row[headers.index(header)].value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template(world: World, **kw: Any) -> bytes:
    return importers.report_template(world.county_a_reporter, 2026, 3, **kw)


def ids_in(data: bytes) -> list[int]:
    sheet = openpyxl.load_workbook(io.BytesIO(data))[importers.REPORT_SHEET]
    return [int(r[0].value) for r in sheet.iter_rows(min_row=2) if r[0].value is not None]


def test_untouched_rows_are_skipped_and_counted_not_rejected(world: World) -> None:
    ps = projects(world, 5)
    base = template(world)
    total = len(ids_in(base))
    data = filled(base, {p.pk: {importers.R_INVEST: 10 + i} for i, p in enumerate(ps[:3])})
    result = importers.import_reports(
        data, filename="t.xlsx", actor=world.county_a_reporter, dry_run=False
    )
    assert (result.created, result.skipped) == (3, total - 3)
    assert len(result.skipped_rows) == total - 3
    assert f"{total - 3} 行{SKIPPED_REASON}" in result.summary()
    assert MonthlyReport.objects.filter(project__in=ps).count() == 3


def test_a_row_saying_only_no_problem_is_untouched(world: World) -> None:
    a, b = projects(world, 2)
    data = filled(
        template(world),
        {a.pk: {importers.R_INVEST: 5}, b.pk: {importers.R_PROBLEM: "否"}},
    )
    result = importers.import_reports(
        data, filename="t.xlsx", actor=world.county_a_reporter, dry_run=True
    )
    assert result.created == 1
    assert result.skipped == len(ids_in(data)) - 1


def test_partly_filled_rows_get_row_and_column_errors_untouched_rows_none(world: World) -> None:
    a, b, c = projects(world, 3)
    data = filled(
        template(world),
        {a.pk: {importers.R_INVEST: 5}, b.pk: {importers.R_PROGRESS: "主体施工"}},
    )
    numbers = {pid: n for n, pid in enumerate(ids_in(data), start=2)}
    with pytest.raises(ImportRejected) as exc:
        importers.import_reports(
            data, filename="t.xlsx", actor=world.county_a_reporter, dry_run=False
        )
    assert exc.value.errors == [RowError(numbers[b.pk], importers.R_INVEST, "必填，不能为空。")]
    assert not MonthlyReport.objects.filter(project__in=[a, b, c]).exists()


def test_a_file_with_nothing_filled_says_so(world: World) -> None:
    projects(world, 2)
    with pytest.raises(ImportRejected) as exc:
        importers.import_reports(
            template(world), filename="t.xlsx", actor=world.county_a_reporter, dry_run=True
        )
    assert "都没有填写本月数据" in exc.value.errors[0].message


def test_due_only_template_leaves_out_submitted_reports(world: World) -> None:
    done, returned, fresh = projects(world, 3)
    report(world, done, 3, "5", status=S.SUBMITTED)
    report(world, returned, 3, "6", status=S.RETURNED)
    full, due = ids_in(template(world)), ids_in(template(world, due_only=True))
    assert {done.pk, returned.pk, fresh.pk} <= set(full)
    assert done.pk not in due
    assert {returned.pk, fresh.pk} <= set(due)


def test_due_only_template_download(client: Client, world: World) -> None:
    make_project(world)
    login(client, world.county_a_reporter)
    response = client.get(reverse("projects:template") + "?period=2026-03&due=1")
    assert response.status_code == 200
    assert "%E5%BA%94%E6%8A%A5" in response["Content-Disposition"]  # 应报 in the file name


# --- the upload page: the stored dry-run file -------------------------------------------------


def dry_run(client: Client, data: bytes) -> Any:
    f = io.BytesIO(data)
    f.name = "月报.xlsx"
    return client.post(reverse("projects:upload"), {"file": f})


def staged(world: World, client: Client) -> tuple[list[Project], str, bytes]:
    ps = projects(world, 3)
    data = filled(template(world), {p.pk: {importers.R_INVEST: 7} for p in ps[:2]})
    login(client, world.county_a_reporter)
    page = dry_run(client, data)
    body = page.content.decode()
    assert "将新增 2 条" in body
    assert "已跳过" in body
    token = page.context["flow"].token
    assert token
    assert token not in data.decode("latin-1")
    return ps, token, data


def test_confirm_posts_only_the_token_and_imports_once(client: Client, world: World) -> None:
    ps, token, _ = staged(world, client)
    assert not MonthlyReport.objects.filter(project__in=ps).exists()
    events = AuditEvent.objects.count()
    done = client.post(reverse("projects:upload"), {"token": token})
    assert done.status_code == 302
    assert MonthlyReport.objects.filter(project__in=ps).count() == 2
    assert AuditEvent.objects.count() > events
    # a second confirm (double click, back button): the first result, no second import
    events = AuditEvent.objects.count()
    again = client.post(reverse("projects:upload"), {"token": token})
    assert again.status_code == 200
    body = again.content.decode()
    assert "已经导入过" in body
    assert "已新增 2 条" in body
    assert AuditEvent.objects.count() == events
    assert MonthlyReport.objects.filter(project__in=ps).count() == 2


def test_another_users_token_is_not_found(client: Client, world: World) -> None:
    ps, token, _ = staged(world, client)
    other = Client()
    login(other, world.county_b_reporter)
    assert other.post(reverse("projects:upload"), {"token": token}).status_code == 404
    assert other.post(reverse("projects:upload"), {"token": "x" * 32}).status_code == 404
    assert other.post(reverse("projects:upload"), {"token": "../../etc"}).status_code == 404
    assert not MonthlyReport.objects.filter(project__in=ps).exists()


def test_an_expired_token_asks_to_upload_again(client: Client, world: World) -> None:
    ps, token, _ = staged(world, client)
    meta_path = importflow.staging_root() / f"{token}.json"
    meta = json.loads(meta_path.read_text())
    meta["expires"] -= importflow.STAGING_TTL.total_seconds() + 1
    meta_path.write_text(json.dumps(meta))
    page = client.post(reverse("projects:upload"), {"token": token})
    assert page.status_code == 200
    assert importflow.EXPIRED_MESSAGE in page.content.decode()
    assert not MonthlyReport.objects.filter(project__in=ps).exists()
    # the next upload removes the expired file
    assert importflow.purge_expired() == 1
    assert not meta_path.exists()


def test_a_tampered_stored_file_is_refused(client: Client, world: World) -> None:
    ps, token, data = staged(world, client)
    other_rows = filled(template(world), {p.pk: {importers.R_INVEST: 999} for p in ps})
    (importflow.staging_root() / f"{token}.bin").write_bytes(other_rows)
    page = client.post(reverse("projects:upload"), {"token": token})
    assert importflow.TAMPERED_MESSAGE in page.content.decode()
    assert not MonthlyReport.objects.filter(project__in=ps).exists()
    # the lock is released: putting the right bytes back makes the token usable again
    (importflow.staging_root() / f"{token}.bin").write_bytes(data)
    assert client.post(reverse("projects:upload"), {"token": token}).status_code == 302


def test_a_file_refused_at_dry_run_is_not_kept(client: Client, world: World) -> None:
    a = make_project(world)
    login(client, world.county_a_reporter)
    page = dry_run(client, filled(template(world), {a.pk: {importers.R_PROGRESS: "施工"}}))
    assert page.context["flow"].token == ""
    assert "本月完成投资（万元）" in page.content.decode()
    root = importflow.staging_root()
    assert not root.exists() or not list(root.iterdir())
