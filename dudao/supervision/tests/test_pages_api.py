"""Pages and API: the cycle through HTTP, scope (404), query counts, performance ranks."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dudao.supervision import selectors, services
from dudao.supervision.models import Notification, SupervisionTask
from dudao.supervision.tests.factories import PDF, evidence, make_source, make_task
from dudao.testing import World

pytestmark = pytest.mark.django_db


def test_the_api_runs_the_whole_cycle(client: Client, world: World) -> None:
    source = make_source(world.city_supervisor)
    client.force_login(world.city_supervisor)
    deadline = (timezone.localdate() + timedelta(days=30)).isoformat()
    body = {
        "source_id": source.pk,
        "title": "推进项目建设",
        "content": "三季度集中开工",
        "goal": "开工率100%",
        "lead_org_id": world.county_a.pk,
        "deadline": deadline,
        "issue": True,
    }
    response = client.post(
        reverse("api:supervision_task_list"), body, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    task_id = response.json()["id"]
    assert response.json()["status"] == "assigned"
    child = client.post(
        reverse("api:supervision_task_list"),
        {**body, "parent_id": task_id, "lead_org_id": world.county_a_drc.pk, "weight": "2"},
        content_type="application/json",
    )
    assert child.status_code == 201
    child_id = child.json()["id"]

    client.force_login(world.county_a_reporter)
    url = reverse("api:supervision_task_feedback", kwargs={"task_id": child_id})
    fb = client.post(
        url,
        {"progress": "50", "text": "已开工", "files": SimpleUploadedFile("照片说明.pdf", PDF)},
    )
    assert fb.status_code == 201, fb.content
    assert fb.json()["attachments"] == ["照片说明.pdf"]
    parent = client.get(reverse("api:supervision_task_detail", kwargs={"task_id": task_id}))
    assert parent.json()["progress"] == "50.00"
    assert parent.json()["progress_basis"]["method"] == "weighted"
    apply = client.post(
        reverse("api:supervision_task_apply", kwargs={"task_id": child_id}),
        {"text": "完成", "files": SimpleUploadedFile("验收.pdf", PDF)},
    )
    assert apply.status_code == 201

    client.force_login(world.city_supervisor)
    verify = client.post(
        reverse("api:supervision_task_verify", kwargs={"task_id": child_id}),
        {"passed": True},
        content_type="application/json",
    )
    assert verify.status_code == 200
    assert verify.json()["status"] == "closed"
    missing = client.post(
        reverse("api:supervision_task_verify", kwargs={"task_id": child_id}),
        {},
        content_type="application/json",
    )
    assert missing.status_code == 422

    client.force_login(world.county_b_reporter)
    hidden = client.get(reverse("api:supervision_task_detail", kwargs={"task_id": task_id}))
    assert hidden.status_code == 404
    assert client.get(reverse("api:supervision_my_tasks")).json() == []


def test_a_missing_clarity_is_a_clear_api_error(client: Client, world: World) -> None:
    task = make_task(world, issue=False, content="")
    client.force_login(world.city_supervisor)
    response = client.post(
        reverse("api:supervision_task_issue", kwargs={"task_id": task.pk}),
        {"version": task.version},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "四个明确未落实，不能交办：缺少工作任务。"


def test_the_task_form_issues_and_the_detail_page_shows_the_task(
    client: Client, world: World
) -> None:
    source = make_source(world.city_supervisor)
    client.force_login(world.city_supervisor)
    response = client.post(
        reverse("supervision:task_create"),
        {
            "source": source.pk,
            "title": "编制产业图谱",
            "content": "梳理主导产业链",
            "goal": "形成产业图谱并发布",
            "lead_org": world.county_a.pk,
            "deadline_mode": "workday",
            "deadline_amount": "20",
            "feedback_cycle": "weekly",
            "urgency": "normal",
            "issue": "1",
        },
    )
    task = SupervisionTask.objects.get(title="编制产业图谱")
    assert response.status_code == 302
    assert task.status == "assigned"
    page = client.get(reverse("supervision:task_detail", kwargs={"pk": task.pk}))
    assert "交办后N个工作日" not in page.content.decode()  # explanation, not the mode code
    assert "个工作日（开始当日不计入）" in page.content.decode()
    assert Notification.objects.filter(user=world.county_a_reviewer, kind="assigned").exists()


def test_a_page_post_with_bad_input_explains_and_writes_nothing(
    client: Client, world: World
) -> None:
    task = make_task(world)
    client.force_login(world.county_a_reporter)
    response = client.post(
        reverse("supervision:task_apply", kwargs={"pk": task.pk}), {"co-text": "完成"}, follow=True
    )
    assert "申请销号必须上传至少一份佐证材料。" in response.content.decode()
    task.refresh_from_db()
    assert task.status == "assigned"


def test_the_attachment_is_served_only_in_scope(client: Client, world: World) -> None:
    task = make_task(world)
    fb = services.post_feedback(
        actor=world.county_a_reporter, task=task, progress="5", text="x", files=[evidence()]
    )
    att = fb.attachments.get()
    client.force_login(world.county_a_reviewer)
    ok = client.get(reverse("supervision:attachment", kwargs={"pk": att.pk}))
    assert ok.status_code == 200
    assert b"".join(ok.streaming_content) == PDF  # type: ignore[attr-defined]
    client.force_login(world.county_b_reporter)
    assert client.get(reverse("supervision:attachment", kwargs={"pk": att.pk})).status_code == 404


def test_unit_performance_ranks_with_ties(world: World) -> None:
    today = timezone.localdate()
    for lead in (world.county_a, world.county_b):
        task = make_task(world, lead=lead, deadline=today + timedelta(days=5))
        reporter = world.county_a_reporter if lead == world.county_a else world.county_b_reporter
        services.apply_closeout(actor=reporter, task=task, text="完成", files=[evidence()])
        services.verify_closeout(actor=world.city_supervisor, task=task, passed=True)
    make_task(world, lead=world.park_a)  # nothing due yet: ranked last
    rows = {r.name: r for r in selectors.unit_performance(world.city_supervisor)}
    assert rows["甲县人民政府"].rank == rows["乙县人民政府"].rank == 1
    assert rows["甲县人民政府"].on_time_rate_text == "100.0%"
    assert rows["甲县产业集聚区管理委员会"].rank == 3
    assert rows["甲县产业集聚区管理委员会"].on_time_rate_text == "—"


def test_the_task_list_exports_to_excel_within_scope(client: Client, world: World) -> None:
    from dudao.core.xlsx import read_table
    from dudao.supervision.selectors import EXPORT_COLUMNS

    make_task(world, lead=world.county_a, title="甲县任务")
    make_task(world, lead=world.county_b, title="乙县任务")
    client.force_login(world.county_a_reviewer)
    response = client.get(reverse("supervision:task_export"))
    assert response.status_code == 200
    table = read_table(response.content, headers=[h for h, _, _ in EXPORT_COLUMNS], header_row=2)
    assert [row.get("任务名称") for row in table.rows] == ["甲县任务"]
    assert table.rows[0].get("灯色") == "绿灯"
    assert table.rows[0].get("牵头单位") == "甲县人民政府"


def test_the_task_form_takes_milestones_line_by_line(client: Client, world: World) -> None:
    source = make_source(world.city_supervisor)
    client.force_login(world.city_supervisor)
    deadline = timezone.localdate() + timedelta(days=90)
    form = {
        "source": source.pk,
        "title": "竣工投产一批",
        "content": "倒排工期",
        "goal": "按期竣工投产",
        "lead_org": world.county_b.pk,
        "deadline_mode": "date",
        "deadline": deadline.isoformat(),
        "feedback_cycle": "monthly",
        "urgency": "normal",
        "draft": "1",
    }
    bad = client.post(reverse("supervision:task_create"), {**form, "milestones": "明天｜开工"})
    assert "第 1 行应为“日期｜节点目标｜应达进度”三项。" in bad.content.decode()
    assert not SupervisionTask.objects.filter(title="竣工投产一批").exists()
    first, second = deadline - timedelta(days=60), deadline - timedelta(days=30)
    lines = f"{first}｜主体封顶｜40\n{second}|设备安装|80%"
    client.post(reverse("supervision:task_create"), {**form, "milestones": lines})
    task = SupervisionTask.objects.get(title="竣工投产一批")
    assert task.status == "draft"
    assert [(m.description, m.expected_progress) for m in task.milestones.all()] == [
        ("主体封顶", Decimal(40)),
        ("设备安装", Decimal(80)),
    ]


def test_a_sub_unit_sees_its_parent_task_named_but_not_linked(world: World) -> None:
    parent = make_task(world)
    child = make_task(world, parent=parent, actor=world.county_a_reviewer, lead_org=world.park_a)
    parent_url = reverse("supervision:task_detail", args=[child.parent_id])
    client = Client()
    client.force_login(world.park_reporter)
    page = client.get(reverse("supervision:task_detail", args=[child.pk])).content.decode()
    assert parent.code in page
    assert parent_url not in page
    assert client.get(parent_url).status_code == 404
    client.force_login(world.county_a_reviewer)
    assert (
        parent_url
        in client.get(reverse("supervision:task_detail", args=[child.pk])).content.decode()
    )


def test_the_api_refuses_an_out_of_scope_co_organiser_by_name(client: Client, world: World) -> None:
    parent = make_task(world)
    client.force_login(world.county_a_reviewer)
    body = {
        "parent_id": parent.pk,
        "title": "分解任务",
        "lead_org_id": world.county_a_drc.pk,
        "co_org_ids": [world.park_a.pk, world.county_b.pk],
    }
    url = reverse("api:supervision_task_list")
    before = SupervisionTask.objects.count()
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["message"] == (
        f"配合单位不在您的数据范围内：{world.county_b.name}。"
    )
    missing = client.post(
        url, {**body, "co_org_ids": [world.park_a.pk, 10**9]}, content_type="application/json"
    )
    assert missing.status_code == 400
    assert missing.json()["error"]["message"] == "配合单位不存在。"
    assert SupervisionTask.objects.count() == before
    created = client.post(
        url, {**body, "co_org_ids": [world.park_a.pk]}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
