"""The /api/v1 front door: one JSON error shape in Chinese, `me`, and the OpenAPI document."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from dudao.testing import World, all_routes

pytestmark = pytest.mark.django_db


@pytest.fixture
def reporter_client(client: Client, world: World) -> Client:
    client.force_login(world.county_a_reporter)
    return client


@pytest.mark.parametrize(
    ("url", "details"),
    [
        ("/api/v1/organisations?limit=abc", [{"loc": ["query", "limit"], "message": "应为整数"}]),
        ("/api/v1/organisations/abc", [{"loc": ["path", "org_id"], "message": "应为整数"}]),
        (
            "/api/v1/organisations?limit=0&offset=-1",
            [
                {"loc": ["query", "limit"], "message": "数值过小"},
                {"loc": ["query", "offset"], "message": "数值过小"},
            ],
        ),
        ("/api/v1/users/x1", [{"loc": ["path", "user_id"], "message": "应为整数"}]),
    ],
)
def test_it_answers_a_bad_parameter_with_422_in_chinese(
    world: World, url: str, details: list[dict[str, object]]
) -> None:
    client = Client()
    client.force_login(world.sysadmin)
    response = client.get(url)
    assert response.status_code == 422
    assert response.json() == {
        "error": {"code": "invalid", "message": "请求参数不正确。", "details": details}
    }


def test_it_answers_a_bad_date_with_422_in_chinese(client: Client, world: World) -> None:
    client.force_login(world.auditadmin)
    response = client.get(reverse("api:audit_event_list"), {"date_from": "2026-13-01"})
    assert response.status_code == 422
    assert response.json()["error"]["details"] == [
        {"loc": ["query", "date_from"], "message": "日期格式应为 YYYY-MM-DD"}
    ]


def test_it_answers_a_missing_object_with_the_404_shape(reporter_client: Client) -> None:
    response = reporter_client.get(reverse("api:organisation_detail", kwargs={"org_id": 999999}))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "error": {"code": "not_found", "message": "对象不存在或不在您的数据范围内。"}
    }


def test_it_answers_an_unknown_api_address_with_json(reporter_client: Client) -> None:
    response = reporter_client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "接口地址不存在。"}}
    page = reporter_client.get("/nothing-here/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")


def test_it_answers_an_anonymous_call_with_the_401_shape() -> None:
    response = Client().get(reverse("api:me"))
    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "unauthenticated", "message": "请先登录或提供 API 令牌。"}
    }


def test_it_answers_a_forbidden_call_with_the_403_shape(reporter_client: Client) -> None:
    response = reporter_client.get(reverse("api:user_list"))
    assert response.status_code == 403
    assert response.json() == {
        "error": {"code": "forbidden", "message": "您没有执行此操作的权限。"}
    }


def test_it_describes_the_caller_in_me(reporter_client: Client, world: World) -> None:
    response = reporter_client.get(reverse("api:me"))
    assert response.status_code == 200
    assert response.json() == {
        "id": world.county_a_reporter.pk,
        "username": "a_reporter",
        "full_name": "甲县填报员",
        "title": "",
        "organisation": {
            "id": world.county_a_drc.pk,
            "code": "SFS-A-FGW",
            "name": "甲县发展和改革委员会",
        },
        "roles": ["reporter"],
        "role_labels": ["填报员"],
        "is_active": True,
        "scope_root": {"id": world.county_a.pk, "code": "SFS-A", "name": "甲县人民政府"},
        "must_change_password": False,
    }


def test_it_gives_a_city_office_the_city_as_scope_root(client: Client, world: World) -> None:
    client.force_login(world.auditadmin)
    body = client.get(reverse("api:me")).json()
    assert body["organisation"]["code"] == "SFS-DSJ"
    assert body["scope_root"] == {"id": world.city.pk, "code": "SFS", "name": "示范市人民政府"}
    assert body["roles"] == ["auditadmin"]


def test_it_lists_every_operation_in_the_openapi_document() -> None:
    response = Client().get(reverse("api:openapi-json"))
    assert response.status_code == 200
    schema = response.json()
    documented = set(schema["paths"])
    routed = {
        "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route.route)
        for route in all_routes()
        if route.name.startswith("api:")
        and route.name not in {"api:api-root", "api:openapi-json", "api:openapi-view"}
    }
    assert len(routed) >= 9  # the platform's nine, plus the business modules' own
    assert documented == routed
    for ops in schema["paths"].values():
        for op in ops.values():
            assert re.search(r"[\u4e00-\u9fff]", op["summary"]), op["operationId"]
            assert op["security"] == [{"SessionOrToken": []}]
    assert schema["info"]["title"] == "督导 Dudao API"


def test_it_serves_the_api_documentation_page() -> None:
    response = Client().get(reverse("api:openapi-view"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/v1/openapi.json" in html
    # Served from our own static files: the CSP allows no CDN, and the network may be closed.
    assert '<script src="/static/ninja/swagger-ui-bundle.js"></script>' in html
    assert "cdn" not in html.lower()


def test_no_two_api_schemas_share_a_name() -> None:
    """The OpenAPI document keys schemas by class name: two apps' `EventOut` become one, and a
    response is then documented with the other app's fields (the fuzzer's "response violates
    schema" after the new modules were merged). Every schema class has its own name."""
    from collections import defaultdict

    from ninja import Schema

    from dudao.api import api

    api.get_openapi_schema()  # every router imported
    owners: dict[str, set[str]] = defaultdict(set)
    pending = list(Schema.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("dudao."):
            owners[cls.__name__].add(cls.__module__)
    shared = {name: sorted(mods) for name, mods in owners.items() if len(mods) > 1}
    # core.pagination's Input mirrors ninja's own on purpose (the bounded page parameters)
    assert shared == {}, shared
