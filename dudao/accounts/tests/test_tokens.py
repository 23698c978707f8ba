"""Personal API tokens: stored hashed, act with the owner's scope, refused when bad."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from dudao.accounts.models import ApiToken
from dudao.accounts.services import revoke_api_token
from dudao.api import SessionOrToken
from dudao.audit.models import AuditEvent
from dudao.testing import World, make_token

pytestmark = pytest.mark.django_db

INVALID = {"error": {"code": "unauthenticated", "message": "API 令牌无效、已过期或已被吊销。"}}


def _bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def test_it_stores_only_a_hash_of_the_token(world: World) -> None:
    token, raw = make_token(world.county_a_reporter, name="数据接口")
    assert raw.startswith(f"dd_{token.lookup}_")
    assert len(raw) > 50
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert row["token_hash"] == hashlib.sha256(raw.encode()).hexdigest()
    assert all(raw not in str(value) for value in row.values())
    # the secret is everything after "dd_<lookup>_" (token_urlsafe may itself contain "_")
    secret = raw.removeprefix(f"dd_{token.lookup}_")
    assert len(secret) >= 40
    assert all(secret not in str(value) for value in row.values())
    event = AuditEvent.objects.filter(action="token.create").get()
    assert secret not in str(event.after) + event.object_repr


def test_it_authenticates_a_bearer_token_as_its_owner(world: World) -> None:
    _token, raw = make_token(world.county_a_reporter)
    response = Client().get(reverse("api:me"), headers=_bearer(raw))
    assert response.status_code == 200
    assert response.json()["username"] == "a_reporter"
    assert ApiToken.objects.get(lookup=_token.lookup).last_used_at is not None


def test_it_applies_the_owners_scope_to_a_token(world: World) -> None:
    _token, raw = make_token(world.county_a_reporter)
    client = Client()
    own = client.get(
        reverse("api:organisation_detail", kwargs={"org_id": world.park_a.pk}), headers=_bearer(raw)
    )
    assert (own.status_code, own.json()["code"]) == (200, "SFS-A-P1")
    other = client.get(
        reverse("api:organisation_detail", kwargs={"org_id": world.county_b.pk}),
        headers=_bearer(raw),
    )
    assert other.status_code == 404
    assert other.json() == {
        "error": {"code": "not_found", "message": "对象不存在或不在您的数据范围内。"}
    }
    listing = client.get(reverse("api:organisation_list"), headers=_bearer(raw)).json()
    assert [o["code"] for o in listing["items"]] == ["SFS-A", "SFS-A-FGW", "SFS-A-P1"]


def test_it_applies_the_owners_roles_to_a_token(world: World) -> None:
    _token, raw = make_token(world.county_a_reporter)
    response = Client().get(reverse("api:user_list"), headers=_bearer(raw))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_it_refuses_a_revoked_token(world: World) -> None:
    token, raw = make_token(world.county_a_reporter)
    revoke_api_token(actor=world.county_a_reporter, token=token)
    response = Client().get(reverse("api:me"), headers=_bearer(raw))
    assert (response.status_code, response.json()) == (401, INVALID)


def test_it_refuses_an_expired_token(
    world: World, time_machine: time_machine.TimeMachineFixture
) -> None:
    expires = timezone.now() + dt.timedelta(days=1)
    _token, raw = make_token(world.county_a_reporter, expires_at=expires)
    time_machine.move_to(expires - dt.timedelta(seconds=1), tick=False)
    assert Client().get(reverse("api:me"), headers=_bearer(raw)).status_code == 200
    time_machine.move_to(expires + dt.timedelta(seconds=1), tick=False)
    response = Client().get(reverse("api:me"), headers=_bearer(raw))
    assert (response.status_code, response.json()) == (401, INVALID)


def test_it_refuses_the_token_of_a_disabled_user(world: World) -> None:
    _token, raw = make_token(world.county_b_reporter)
    world.county_b_reporter.is_active = False
    world.county_b_reporter.save(update_fields=["is_active"])
    response = Client().get(reverse("api:me"), headers=_bearer(raw))
    assert (response.status_code, response.json()) == (401, INVALID)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Bearer dd_garbage", "API 令牌无效、已过期或已被吊销。"),
        ("Bearer ", "认证头格式应为 Authorization: Bearer <令牌>。"),
        ("Basic YWRtaW46YWRtaW4=", "认证头格式应为 Authorization: Bearer <令牌>。"),
        ("Token abc", "认证头格式应为 Authorization: Bearer <令牌>。"),
    ],
    ids=["garbage", "empty", "basic", "other-scheme"],
)
def test_it_refuses_a_bad_authorization_header(world: World, header: str, message: str) -> None:
    response = Client().get(reverse("api:me"), HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json() == {"error": {"code": "unauthenticated", "message": message}}


def test_it_refuses_a_bad_token_even_with_a_valid_session(world: World) -> None:
    client = Client()
    client.force_login(world.city_leader)
    assert client.get(reverse("api:me")).status_code == 200
    response = client.get(reverse("api:me"), HTTP_AUTHORIZATION="Bearer dd_garbage")
    assert (response.status_code, response.json()) == (401, INVALID)


def test_it_ignores_a_token_outside_the_api(world: World) -> None:
    _token, raw = make_token(world.city_leader)
    response = Client().get(reverse("home"), headers=_bearer(raw))
    assert response.status_code == 302  # pages need a session; the token is not a login


def test_it_skips_csrf_for_tokens_and_checks_it_for_session_writes(world: World) -> None:
    auth = SessionOrToken()
    factory = RequestFactory()

    by_token = factory.post("/api/v1/me")
    by_token.user = world.county_a_reporter
    by_token.auth_method = "token"  # type: ignore[attr-defined]
    assert auth(by_token) == world.county_a_reporter

    by_session = factory.post("/api/v1/me")
    by_session.user = world.county_a_reporter
    by_session.COOKIES["sessionid"] = "x"
    with pytest.raises(PermissionDenied, match="CSRF 校验失败，请刷新页面后重试。"):
        auth(by_session)

    with_csrf = factory.post("/api/v1/me")
    with_csrf.user = world.county_a_reporter
    csrf = get_token(with_csrf)
    with_csrf.COOKIES[settings.CSRF_COOKIE_NAME] = csrf
    with_csrf.META["HTTP_X_CSRFTOKEN"] = csrf
    assert auth(with_csrf) == world.county_a_reporter

    read = factory.get("/api/v1/me")
    read.user = world.county_a_reporter
    assert auth(read) == world.county_a_reporter


def test_it_lets_the_owner_create_and_revoke_a_token_on_the_page(
    client: Client, world: World
) -> None:
    client.force_login(world.county_a_reporter)
    response = client.post(reverse("token_list"), {"name": "统计局接口", "expires_at": ""})
    assert response.status_code == 200
    raw = response.context["new_secret"]
    token = ApiToken.objects.get(user=world.county_a_reporter)
    assert raw.startswith(f"dd_{token.lookup}_")
    assert raw in response.content.decode()  # shown once …
    listing = client.get(reverse("token_list"))
    assert raw not in listing.content.decode()  # … and never again
    assert token.lookup in listing.content.decode()

    revoke = client.post(reverse("token_revoke", kwargs={"pk": token.pk}))
    assert (revoke.status_code, revoke["Location"]) == (302, reverse("token_list"))
    token.refresh_from_db()
    assert token.revoked_at is not None
