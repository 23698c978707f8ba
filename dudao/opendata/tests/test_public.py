"""The public site: anonymous, cacheable, cookie-free, nothing internal, withdrawn projects
gone from every output, conditional GETs, the per-IP rate limit, the OC4IDS review."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from dudao.opendata import services
from dudao.opendata.models import Category
from dudao.opendata.review import review
from dudao.opendata.tests.conftest import LEADER, LIAISON, PHONE, add_photo, published_project
from dudao.opendata.tests.public_walk import walk
from dudao.testing import World

pytestmark = pytest.mark.django_db


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_every_public_output_answers_without_cookies_or_internal_data(world: World) -> None:
    project = published_project(world)
    photo = add_photo(world, project)
    services.set_photo_clearance(
        actor=world.city_supervisor, project_id=project.pk, photo_id=photo.pk, cleared=True
    )
    photo_url = reverse("open:photo", args=[project.pk, photo.pk])
    seen, walked_photo = 0, False
    for url, status, body, response in walk([project.pk]):
        assert status == 200, url
        assert not response.cookies, url  # type: ignore[attr-defined]
        if "openapi" not in url:
            assert "public" in response["Cache-Control"], url  # type: ignore[index]
        for secret in (LIAISON, PHONE, LEADER):
            assert secret not in body, (url, secret)
        seen += 1
        walked_photo = walked_photo or url == photo_url
    assert seen >= 10
    assert walked_photo


def test_the_project_page_shows_the_categories_milestones_chart_and_history(world: World) -> None:
    project = published_project(world)
    body = Client().get(reverse("open:project", args=[project.pk])).content.decode()
    for category in Category:
        assert category.label in body
    assert "建设厂房 3 万平方米" in body
    assert "<svg" in body  # drawn server-side, the figures as 万元 text beside it
    assert "1200.00" in body
    assert "第 1 版" in body
    assert "<script" not in body
    # nothing of the internal application is linked from a public page
    links = set(re.findall(r'href="([^"]+)"', body))
    assert all(link.startswith(("/open/", "/static/", "https://", "data:")) for link in links), (
        links
    )


def test_a_logged_in_visitor_gets_no_session_cookie_from_a_public_page(world: World) -> None:
    project = published_project(world)
    client = Client()
    client.force_login(world.city_supervisor)
    response = client.get(reverse("open:project", args=[project.pk]))
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert "csrftoken" not in response.cookies


def test_a_withdrawn_project_disappears_from_every_output(world: World) -> None:
    project = published_project(world)
    assert project.name in Client().get(reverse("open:index")).content.decode()
    services.withdraw(actor=world.city_supervisor, project_id=project.pk, reason="内容需更正")
    for url, status, body, _response in walk([project.pk]):
        if url in {reverse("open:project", args=[project.pk]),
                   reverse("open_api:project_detail", args=[project.pk])}:  # fmt: skip
            assert status == 404, url
        assert project.name not in body, url
        assert str(project.code) not in body, url


def test_conditional_get_answers_304_until_the_publication_changes(world: World) -> None:
    project = published_project(world)
    client = Client()
    url = reverse("open:index")
    first = client.get(url)
    etag = first["ETag"]
    assert first.has_header("Last-Modified")
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    api = reverse("open_api:project_list")
    assert client.get(api, HTTP_IF_NONE_MATCH=client.get(api)["ETag"]).status_code == 304
    services.withdraw(actor=world.city_supervisor, project_id=project.pk, reason="撤回")
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200
    assert project.name not in again.content.decode()


@override_settings(DUDAO_OPENDATA_RATE_PER_MINUTE=3)
def test_the_public_api_is_rate_limited_per_ip(world: World) -> None:
    url = reverse("open_api:project_list")
    client = Client()
    answers = [client.get(url, REMOTE_ADDR="203.0.113.9").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = client.get(url, REMOTE_ADDR="203.0.113.9")
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused["Retry-After"]) > 0
    assert client.get(url, REMOTE_ADDR="203.0.113.10").status_code == 200


def test_bad_filters_and_unknown_projects_are_not_errors(world: World) -> None:
    client = Client()
    assert (
        client.get(reverse("open:index") + "?year=99999999999&stage=x&page=zz").status_code == 200
    )
    assert client.get(reverse("open:project", args=[999999])).status_code == 404
    api = reverse("open_api:project_list")
    assert client.get(api + "?limit=100000").status_code == 422
    assert client.get(reverse("open_api:project_detail", args=[999999])).status_code == 404


def test_the_csv_opens_in_excel_and_matches_the_xlsx_columns(world: World) -> None:
    project = published_project(world)
    response = Client().get(reverse("open:csv"))
    raw = _body(response)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "OC4IDS 项目标识"
    assert "联络员" not in rows[0]
    assert any(project.name in row for row in rows[1:])


def test_the_oc4ids_package_passes_the_official_review_offline(world: World) -> None:
    project = published_project(world)
    response = Client().get(reverse("open:oc4ids"))
    data = json.loads(_body(response))
    (item,) = data["projects"]
    assert item["id"] == f"oc4ids-xxxxxx-{project.code}"
    assert item["identifiers"] == [{"id": project.code, "scheme": "CN-投资项目代码"}]
    assert item["budget"]["amount"] == {"amount": 500_000_000, "currency": "CNY"}
    assert item["status"] == "implementation"
    assert item["locations"][0]["gazetteer"]["scheme"] == "CN-GBT2260"
    result = review(data)
    assert result.schema_errors == [], result.summary()


def test_the_review_reports_a_broken_package(world: World) -> None:
    published_project(world)
    data = json.loads(_body(Client().get(reverse("open:oc4ids"))))
    data["projects"][0]["budget"]["amount"]["amount"] = "五亿"
    del data["publisher"]
    result = review(data)
    messages = " ".join(e["message"] for e in result.schema_errors)
    assert "publisher" in messages
    assert len(result.schema_errors) == 2, result.summary()
