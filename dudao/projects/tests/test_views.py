"""Pages and API of 重大项目 over HTTP: the grid, 409, idempotency, upload, review, analysis,
photos, export; query counts that do not grow with the number of projects."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from dudao.projects import services
from dudao.projects.models import MonthlyReport, ReportPhoto
from dudao.projects.testing import make_project, report
from dudao.projects.tests.test_importers import xlsx
from dudao.testing import World

pytestmark = pytest.mark.django_db
S = MonthlyReport.Status
D = Decimal


def login(client: Client, user: object) -> Client:
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_grid_saves_a_row_and_submits(client: Client, world: World) -> None:
    p = make_project(world)
    login(client, world.county_a_reporter)
    page = client.get(reverse("projects:grid") + "?period=2026-03")
    assert page.status_code == 200
    assert p.name in page.content.decode()
    url = reverse("projects:grid_row", kwargs={"pk": p.pk})
    r = client.post(
        url,
        {
            "period": "2026-03",
            "invest_month": "120",
            "progress_text": "主体施工",
            "request_id": "abc",
        },
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    assert "已保存" in r.content.decode()
    saved = MonthlyReport.objects.get(project=p, month=3)
    assert saved.invest_month == D("120")
    # a double click (same request id) writes nothing twice
    again = client.post(url, {"period": "2026-03", "invest_month": "999", "request_id": "abc"})
    assert again.status_code == 200
    assert MonthlyReport.objects.get(pk=saved.pk).version == saved.version
    # stale version → 409 with the current values in the row
    stale = client.post(url, {"period": "2026-03", "invest_month": "130", "version": "0"})
    assert stale.status_code == 409
    assert "已被他人修改" in stale.content.decode()
    assert 'value="120.00"' in stale.content.decode()
    # a rule at source → 422 with the Chinese message, nothing saved
    bad = client.post(
        url, {"period": "2026-03", "invest_month": "9000", "version": str(saved.version)}
    )
    assert bad.status_code == 422
    assert "注明原因" in bad.content.decode()
    ok = client.post(
        url,
        {
            "period": "2026-03",
            "invest_month": "150",
            "action": "submit",
            "version": str(saved.version),
        },
    )
    assert ok.status_code == 200
    assert MonthlyReport.objects.get(pk=saved.pk).status == S.SUBMITTED


def test_grid_row_of_another_county_is_404(client: Client, world: World) -> None:
    p = make_project(world, county=world.county_b)
    login(client, world.county_a_reporter)
    r = client.post(
        reverse("projects:grid_row", kwargs={"pk": p.pk}),
        {"period": "2026-03", "invest_month": "1"},
    )
    assert r.status_code == 404
    assert not MonthlyReport.objects.exists()


def test_submit_all_then_reviewer_approves_from_due_list(client: Client, world: World) -> None:
    p = make_project(world)
    r = report(world, p, 3, "100")
    login(client, world.county_a_reporter)
    client.post(reverse("projects:grid_submit_all"), {"period": "2026-03"})
    r.refresh_from_db()
    assert r.status == S.SUBMITTED
    login(client, world.county_a_reviewer)
    due = client.get(reverse("projects:due") + "?period=2026-03")
    assert p.name in due.content.decode()
    client.post(
        reverse("projects:report_action", kwargs={"pk": r.pk}),
        {"action": "approve", "version": r.version, "next": "due"},
    )
    r.refresh_from_db()
    assert r.status == S.APPROVED


def test_upload_page_dry_run_then_commit(client: Client, world: World) -> None:
    p = make_project(world)
    login(client, world.county_a_reporter)
    data = xlsx([[p.pk, p.code, p.name, 2026, 3, 55, ""]])
    dry = client.post(reverse("projects:upload"), {"file": io.BytesIO(data)}, format="multipart")
    assert "将新增 1 条" in dry.content.decode()
    assert not MonthlyReport.objects.exists()
    # 确认导入 posts only the token of the file kept server-side: no second pick
    done = client.post(reverse("projects:upload"), {"token": dry.context["flow"].token})
    assert done.status_code == 302
    assert MonthlyReport.objects.get(project=p).invest_month == D("55")


def test_upload_errors_are_listed(client: Client, world: World) -> None:
    login(client, world.county_a_reporter)
    f = io.BytesIO(b"not a workbook")
    f.name = "t.xlsx"
    page = client.post(reverse("projects:upload"), {"file": f})
    assert "不是 Excel" in page.content.decode()


def test_photo_is_reencoded_without_exif_and_served_in_scope(client: Client, world: World) -> None:
    p = make_project(world)
    r = report(world, p, 3, "1")
    img = Image.new("RGB", (64, 48), "blue")
    exif = Image.Exif()
    exif[0x8825] = {2: (39, 54, 0)}  # GPS
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    buf.seek(0)
    buf.name = "site.jpg"
    login(client, world.county_a_reporter)
    client.post(reverse("projects:photo_upload", kwargs={"pk": r.pk}), {"photo": buf})
    photo = ReportPhoto.objects.get(report=r)
    got = client.get(reverse("projects:photo", kwargs={"pk": photo.pk}))
    body = b"".join(got.streaming_content)  # type: ignore[attr-defined]
    assert Image.open(io.BytesIO(body)).getexif() == {}
    login(client, world.county_b_reporter)
    assert client.get(reverse("projects:photo", kwargs={"pk": photo.pk})).status_code == 404
    # a renamed text file is refused
    fake = io.BytesIO(b"hello")
    fake.name = "x.jpg"
    login(client, world.county_a_reporter)
    client.post(reverse("projects:photo_upload", kwargs={"pk": r.pk}), {"photo": fake})
    assert ReportPhoto.objects.filter(report=r).count() == 1


def test_pages_render(client: Client, world: World) -> None:
    p = make_project(world)
    report(world, p, 3, "100", status=S.APPROVED)
    login(client, world.city_supervisor)
    for name, kwargs in [
        ("projects:list", {}),
        ("projects:analysis", {}),
        ("projects:detail", {"pk": p.pk}),
        ("projects:county", {"pk": world.county_a.pk}),
        ("projects:locks", {}),
        ("projects:targets", {}),
        ("projects:settings", {}),
    ]:
        r = client.get(reverse(name, kwargs=kwargs) + "?period=2026-03")
        assert r.status_code == 200, name
    for by in ("park", "list"):
        assert (
            client.get(reverse("projects:analysis") + f"?period=2026-03&by={by}").status_code == 200
        )


def test_export_is_what_the_list_shows(client: Client, world: World) -> None:
    from python_calamine import CalamineWorkbook

    a = make_project(world, category="urban")
    make_project(world, category="industry")
    login(client, world.city_supervisor)
    category = a.category_id
    r = client.get(reverse("projects:export") + f"?period=2026-03&category={category}")
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(r.content))
        .get_sheet_by_name("项目清单")
        .to_python()
    )
    assert [row[1] for row in rows[2:]] == [a.name]


# --- API ----------------------------------------------------------------------------------------


def api(client: Client, method: str, url: str, body: object = None) -> Any:
    return client.generic(
        method, url, json.dumps(body) if body is not None else "", content_type="application/json"
    )


def test_api_report_cycle(client: Client, world: World) -> None:
    p = make_project(world)
    login(client, world.county_a_reporter)
    url = f"/api/v1/projects/{p.pk}/reports/2026-03"
    r = api(client, "PUT", url, {"invest_month": "100", "request_id": "k1"})
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["invest_ytd"] == "100.00"
    stale = api(client, "PUT", url, {"invest_month": "5", "version": 99})
    assert stale.status_code == 409
    assert stale.json()["error"]["details"]["current"]["invest_month"] == "100.00"
    sub = f"/api/v1/project-reports/{data['id']}/submit"
    assert api(client, "POST", sub, {"request_id": "k2"}).status_code == 200
    assert api(client, "POST", sub, {"request_id": "k2"}).status_code == 200
    assert api(client, "POST", sub, {}).status_code == 409
    login(client, world.county_a_reviewer)
    ok = api(client, "POST", f"/api/v1/project-reports/{data['id']}/approve", {})
    assert ok.json()["status"] == "approved"
    a = client.get("/api/v1/project-analysis?period=2026-03").json()
    assert a["counties"][0]["done"] == "100.00"
    bad = api(client, "PUT", url, {"invest_month": "abc"})
    assert bad.status_code in (403, 422)


def test_api_project_create_and_patch(client: Client, world: World) -> None:
    from dudao.projects.testing import TEST_AREA, ensure_area_code

    ensure_area_code()
    login(client, world.county_a_reporter)
    body = {
        "code": f"2605-{TEST_AREA}-38-03-100001",
        "name": "接口项目",
        "category": "industry",
        "stage": "preparation",
        "level": "city",
        "county_id": world.county_a.pk,
        "total_investment": "1000",
    }
    r = api(client, "POST", "/api/v1/projects", body)
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    r = api(client, "PATCH", f"/api/v1/projects/{pid}", {"version": 1, "name": "接口项目二"})
    assert r.json()["name"] == "接口项目二"
    r = api(client, "PATCH", f"/api/v1/projects/{pid}", {"version": 1, "name": "x"})
    assert r.status_code == 409
    body["county_id"] = world.county_b.pk
    body["code"] = f"2605-{TEST_AREA}-38-03-100002"
    assert api(client, "POST", "/api/v1/projects", body).status_code == 404


def test_api_lock_and_unlock(client: Client, world: World) -> None:
    login(client, world.city_supervisor)
    r = api(
        client,
        "POST",
        "/api/v1/project-locks",
        {"period": "2026-02", "county_id": world.county_a.pk},
    )
    assert r.status_code == 201
    lock_id = r.json()["id"]
    assert (
        api(client, "POST", f"/api/v1/project-locks/{lock_id}/unlock", {"reason": ""}).status_code
        == 400
    )
    r = api(client, "POST", f"/api/v1/project-locks/{lock_id}/unlock", {"reason": "更正"})
    assert r.json()["is_active"] is False
    assert services.is_locked(world.county_a.pk, 2026, 2) is False


def test_save_and_submit_is_one_write(
    client: Client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A submit that fails after the save (the database busy beyond its wait) leaves no
    save behind: the deadline surge saw such a save land while its answer said it had failed."""
    from django.db import OperationalError

    from dudao.audit.models import AuditEvent
    from dudao.projects.services import reports

    p = make_project(world)
    login(client, world.county_a_reporter)

    def busy(**_kwargs: object) -> MonthlyReport:
        raise OperationalError("database is locked")

    monkeypatch.setattr(reports, "_submit_report", busy)
    url = reverse("projects:grid_row", kwargs={"pk": p.pk}) + "?period=2026-03"
    form = {"period": "2026-03", "invest_month": "12", "request_id": "s1", "action": "submit"}
    refused = client.post(url, form, HTTP_HX_REQUEST="true")
    # the busy database answers 503 saying nothing was saved (core.middleware), and it is true
    assert refused.status_code == 503
    assert "没有保存" in refused.content.decode()
    assert not MonthlyReport.objects.filter(project=p).exists()
    assert not AuditEvent.objects.filter(action="project.report_save").exists()
    monkeypatch.undo()
    done = client.post(url, form, HTTP_HX_REQUEST="true")
    assert done.status_code == 200
    saved = MonthlyReport.objects.get(project=p, month=3)
    assert (saved.invest_month, saved.status) == (D("12"), S.SUBMITTED)
