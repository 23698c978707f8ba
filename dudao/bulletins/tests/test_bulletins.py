"""Sentences with rising/falling/flat/zero/missing data, the workflow, numbering, freezing,
the .docx read back against the selectors, and the scope."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.http import Http404
from django.test import Client
from docx import Document as ReadDocx

from dudao.bulletins import selectors, services
from dudao.bulletins.content import parse_editor_text
from dudao.bulletins.kinds import pct_text
from dudao.bulletins.models import Bulletin, BulletinKind
from dudao.bulletins.tests.factories import draft, issued, projects_with_data
from dudao.core.exceptions import DomainError, InvalidTransition, NotAllowed
from dudao.core.numbers import format_yi
from dudao.projects import selectors as projects
from dudao.projects.testing import make_project, report
from dudao.testing import World

pytestmark = pytest.mark.django_db


def text_of(b: Bulletin) -> str:
    return b.search_text


def docx_text(data: bytes) -> str:
    doc = ReadDocx(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def _progress_sentence(world: World) -> str:
    b = draft(world)
    return next(line for line in b.search_text.splitlines() if line.startswith("截至3月底"))


# --- sentence templates ----------------------------------------------------------------------


def test_ahead_of_schedule_reads_higher(world: World) -> None:
    p = make_project(world, plan=Decimal("10000"))
    report(world, p, 3, "4000", status="approved")  # 40.0% vs 序时 25.0%
    sentence = _progress_sentence(world)
    assert "占年度计划的40.0%" in sentence
    assert "高于序时进度15.0个百分点" in sentence


def test_behind_schedule_reads_lower_never_negative(world: World) -> None:
    p = make_project(world, plan=Decimal("10000"))
    report(world, p, 3, "1000", status="approved")  # 10.0% vs 25.0%
    sentence = _progress_sentence(world)
    assert "低于序时进度15.0个百分点" in sentence
    assert "-" not in sentence


def test_on_schedule_reads_level(world: World) -> None:
    p = make_project(world, plan=Decimal("12000"))
    report(world, p, 3, "3000", status="approved")  # 25.0% = 序时 25.0%
    assert "与序时进度持平" in _progress_sentence(world)


def test_zero_projects_reads_in_words(world: World) -> None:
    b = draft(world)
    assert "纳入调度的重大项目0个，本期无调度数据" in b.search_text
    assert "None" not in b.search_text


def test_missing_plan_says_so(world: World) -> None:
    p = make_project(world, plan=None)
    report(world, p, 3, "500", status="approved")
    sentence = _progress_sentence(world)
    assert "年度计划投资尚未下达" in sentence
    assert "None" not in sentence
    assert "—%" not in sentence


@pytest.mark.parametrize("kind", ["parks", "supervision", "inspections"])
def test_other_kinds_read_without_data(world: World, kind: str) -> None:
    b = draft(world, kind=kind)
    assert "None" not in b.search_text
    assert "现将有关情况通报如下" in b.search_text
    assert b.number_text.endswith("号") or "第" in b.number_text


def test_pct_text_rounds_half_up() -> None:
    assert pct_text(Decimal("45.85")) == "45.9"
    assert pct_text(None) == "—"


def test_editor_placeholders_round_trip() -> None:
    segs = parse_editor_text("完成投资〔累计完成投资〕亿元，增长较快。", {"累计完成投资": "done"})
    assert segs == [{"text": "完成投资"}, {"figure": "done"}, {"text": "亿元，增长较快。"}]
    with pytest.raises(DomainError, match="不是本通报的数据项"):
        parse_editor_text("〔编造的数〕", {"累计完成投资": "done"})


# --- workflow, numbering, freezing --------------------------------------------------------


def test_workflow_numbers_freezes_and_audits(world: World) -> None:
    projects_with_data(world)
    b = draft(world)
    assert b.number_text == "示督通〔2026〕  号"
    para = next(
        x
        for x in b.content["blocks"]
        if x["type"] == "paragraph" and any("figure" in s for s in x["segments"])
    )
    labels = {f.key: f.label for f in b.figures.all()}
    key = next(s["figure"] for s in para["segments"] if "figure" in s)
    b = services.edit_paragraph(
        actor=world.city_supervisor,
        bulletin=b,
        paragraph=para["id"],
        text=f"经核查，〔{labels[key]}〕项。",
        version=b.version,
    )
    assert "经核查，" in b.search_text
    b = services.override_figure(
        actor=world.city_supervisor,
        bulletin=b,
        key="done",
        value="0.5",
        reason="",
        version=b.version,
    )
    with pytest.raises(DomainError, match="须填写修改原因"):
        services.submit(actor=world.city_supervisor, bulletin=b, version=b.version)
    b = services.override_figure(
        actor=world.city_supervisor,
        bulletin=b,
        key="done",
        value="0.5",
        reason="县里补报一笔已审核投资",
        version=b.version,
    )
    b = services.submit(actor=world.city_supervisor, bulletin=b, version=b.version)
    with pytest.raises(NotAllowed):
        services.approve(actor=world.city_supervisor, bulletin=b, version=b.version)
    b = services.return_bulletin(
        actor=world.city_leader, bulletin=b, reason="请核实完成投资", version=b.version
    )
    assert b.status == Bulletin.Status.RETURNED
    b = services.submit(actor=world.city_supervisor, bulletin=b, version=b.version)
    b = services.approve(actor=world.city_leader, bulletin=b, version=b.version)
    assert b.number_text == "示督通〔2026〕1号"
    assert len(b.docx_sha256) == 64
    with pytest.raises(InvalidTransition):
        services.edit_paragraph(
            actor=world.city_supervisor, bulletin=b, paragraph="p1", text="改", version=b.version
        )
    second = issued(world)
    assert second.number_text == "示督通〔2026〕2号"
    from dudao.audit.models import AuditEvent

    actions = set(AuditEvent.objects.filter(object_id=str(b.pk)).values_list("action", flat=True))
    assert {
        "bulletin.draft",
        "bulletin.edit",
        "bulletin.override",
        "bulletin.submit",
        "bulletin.return",
        "bulletin.approve",
    } <= actions


def test_stale_version_is_refused(world: World) -> None:
    b = draft(world)
    with pytest.raises(DomainError, match="已被他人修改"):
        services.submit(actor=world.city_supervisor, bulletin=b, version=b.version + 1)


def test_periodical_numbering(world: World) -> None:
    b = issued(world, kind="parks")
    assert b.number_text == "2026年第1期"


def test_frozen_document_never_changes_after_data_changes(world: World) -> None:
    projects_with_data(world)
    b = issued(world)
    stored = {f.key: f.display for f in b.figures.all()}
    data = bytes(b.docx or b"")
    p = make_project(world, plan=Decimal("30000"))
    report(world, p, 3, "9000", status="approved")
    b.refresh_from_db()
    assert {f.key: f.display for f in b.figures.all()} == stored
    assert bytes(b.docx or b"") == data
    changes = selectors.figure_changes(b, world.city_leader)
    assert changes["done"] != stored["done"]
    assert "projects" in changes


def test_docx_figures_match_the_selectors(world: World) -> None:
    projects_with_data(world)
    b = issued(world)
    text = docx_text(bytes(b.docx or b""))
    analysis = projects.city_analysis(world.city_supervisor, 2026, 3)
    total = analysis.total
    assert total.progress is not None
    assert total.progress.rate_pct is not None
    expected = {
        "projects": str(total.projects),
        "plan": format_yi(total.plan, 1),
        "done": format_yi(total.done, 1),
        "rate": pct_text(total.progress.rate_pct),
        "red": str(total.lights["red"]),
    }
    shown = {f.key: f.shown for f in b.figures.all()}
    for key, value in expected.items():
        assert shown[key] == value, key
    body = "".join(text.split())
    for f in b.figures.all():
        assert f.shown in body, f.label
    assert "示督通〔2026〕1号" in body
    assert "None" not in body


# --- scope ------------------------------------------------------------------------------------


def test_county_cannot_open_another_countys_draft(world: World) -> None:
    other = draft(world, world.county_b)
    own = issued(world, world.county_a)
    reader = world.county_a_reviewer
    with pytest.raises(Http404):
        selectors.get_bulletin(reader, other.pk)
    assert selectors.get_bulletin(reader, own.pk).pk == own.pk
    client = Client()
    client.force_login(reader)
    assert client.get(f"/bulletins/{other.pk}/").status_code == 404
    assert client.get(f"/api/v1/bulletins/{other.pk}").status_code == 404
    assert client.get(f"/bulletins/{own.pk}/").status_code == 200
    listed = client.get("/api/v1/bulletins").json()["items"]
    assert [x["id"] for x in listed] == [own.pk], listed


def test_county_kind_rule(world: World) -> None:
    with pytest.raises(DomainError, match="只能以全市为范围"):
        draft(world, world.county_a, kind="supervision")


def test_archive_search_by_number_and_text(world: World) -> None:
    b = issued(world)
    draft(world, kind="parks")
    client = Client()
    client.force_login(world.city_leader)
    page = client.get("/bulletins/", {"number": "〔2026〕1号"})
    assert page.status_code == 200
    assert b.title in page.content.decode()
    api = client.get("/api/v1/bulletins", {"q": "产业集聚区", "sort": "-number"}).json()
    assert api["items"]
    assert all(x["kind"] == "parks" for x in api["items"]), api


def test_monthly_job_drafts_after_the_lock(world: World) -> None:
    from dudao.bulletins import jobs
    from dudao.projects.models import MonthLock
    from dudao.supervision.models import Notification

    MonthLock.objects.create(county=None, year=2026, month=3, locked_by=world.city_supervisor)
    result = jobs.draft_monthly(world.city_supervisor.pk, 2026, 3)
    kinds = set(
        Bulletin.objects.filter(pk__in=result["drafted"]).values_list("kind__code", flat=True)
    )
    assert kinds == set(
        BulletinKind.objects.filter(is_monthly_job=True).values_list("code", flat=True)
    )
    assert Notification.objects.filter(user=world.city_supervisor, kind="bulletin").count() == len(
        kinds
    )
    assert jobs.draft_monthly(world.city_supervisor.pk, 2026, 3)["drafted"] == []


def test_cli_writes_a_draft_docx(world: World, tmp_path: Any) -> None:
    from django.core.management import call_command

    projects_with_data(world)
    out = tmp_path / "draft.docx"
    call_command(
        "bulletin",
        "make",
        "projects",
        "--period",
        "2026-03",
        "--out",
        str(out),
        "--as",
        world.city_supervisor.username,
    )
    body = "".join(docx_text(out.read_bytes()).split())
    assert "示督通〔2026〕号" in body
    assert Bulletin.objects.filter(status=Bulletin.Status.DRAFT).count() == 1


def test_locking_the_month_drafts_through_the_signal(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from dudao.projects import services as project_services

    with django_capture_on_commit_callbacks(execute=True):
        project_services.lock_month(actor=world.city_supervisor, year=2026, month=3)
    drafted = Bulletin.objects.filter(period__year=2026, period__month=3)
    assert set(drafted.values_list("kind__code", flat=True)) == {"projects", "parks"}
    assert all(b.status == Bulletin.Status.DRAFT for b in drafted)


def test_a_stale_signature_is_a_409_with_the_current_values(world: World) -> None:
    b = issued(world)
    client = Client()
    client.force_login(world.city_leader)
    response = client.post(
        f"/api/v1/bulletins/{b.pk}/transitions",
        {"action": "approve", "version": b.version - 1},
        content_type="application/json",
    )
    assert response.status_code == 409
    current = response.json()["error"]["details"]["current"]
    assert current["docx"]["sha256"] == b.docx_sha256
