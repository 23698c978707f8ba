"""The access-control matrix (reliability.md §5.4, AC-*): every URL × method × role × ownership.

The URL list comes from the resolver, the expected answers from `dudao.policy.POLICY`:
anonymous → login redirect (pages) or 401 JSON (API); a role the policy does not name → 403;
an allowed role → the view's own answer, and 404 for another county's object when the actor's
scope is one county. A new URL fails here until it is in POLICY and, if it takes an object
id, in `OBJECTS` below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module
from typing import TYPE_CHECKING, Any, Literal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dudao import policy
from dudao.accounts.models import ApiToken, PasswordResetRequest, User
from dudao.audit.models import AuditEvent
from dudao.core.policy import Access
from dudao.core.roles import roles_of
from dudao.orgs.models import Organisation
from dudao.testing import (
    ACTORS,
    COUNTY_ACTORS,
    ActorName,
    Route,
    World,
    all_routes,
    make_token,
    org_create_event,
)

if TYPE_CHECKING:
    from dudao.testing import TestResponse

pytestmark = pytest.mark.django_db

Ownership = Literal["own", "other", "none"]
Role = ActorName | Literal["anonymous"]
ROLES: tuple[Role, ...] = ("anonymous", *ACTORS)


ROUTES: dict[str, Route] = {r.name: r for r in all_routes()}


# --- Objects for URLs that take an id --------------------------------------------------------
# "org": scoped by organisation, another county's object is 404 for county actors only;
# "owner": one's own object only (another user's is 404 for everybody);
# "global": reference data, the same for everybody.
Scope = Literal["org", "owner", "global"]
ObjectArgs = Callable[[World, ActorName, Ownership], dict[str, object]]


def _org(world: World, actor: ActorName, ownership: Ownership) -> int:
    if ownership == "own":
        return world.actor(actor).organisation_id
    return world.other_county(actor).pk


def _user(world: World, actor: ActorName, ownership: Ownership) -> int:
    if ownership == "own":
        return world.actor(actor).pk
    other = world.other_county(actor)
    return (world.county_b_reporter if other == world.county_b else world.county_a_reporter).pk


def _reset(world: World, actor: ActorName, ownership: Ownership) -> int:
    target = User.objects.get(pk=_user(world, actor, ownership))
    return PasswordResetRequest.objects.create(
        user=target,
        requested_by=world.secadmin,
        password=target.password,
        reason="测试",
        expires_at=timezone.now() + timedelta(hours=1),
    ).pk


def _token(world: World, actor: ActorName, ownership: Ownership) -> int:
    owner = world.actor(actor)
    if ownership == "other":
        owner = world.judge if actor != "judge" else world.city_leader
    return make_token(owner)[0].pk


def _event(world: World, actor: ActorName, ownership: Ownership) -> int:
    org = world.actor(actor).organisation if ownership == "own" else world.other_county(actor)
    return org_create_event(org).pk


def _region(world: World, actor: ActorName, ownership: Ownership) -> str:
    return "410000" if ownership == "own" else "419001"


OBJECTS: dict[str, tuple[Scope, ObjectArgs]] = {
    "token_revoke": ("owner", lambda w, a, o: {"pk": _token(w, a, o)}),
    "orgs:detail": ("org", lambda w, a, o: {"pk": _org(w, a, o)}),
    "orgs:edit": ("org", lambda w, a, o: {"pk": _org(w, a, o)}),
    "users:detail": ("org", lambda w, a, o: {"pk": _user(w, a, o)}),
    "users:edit": ("org", lambda w, a, o: {"pk": _user(w, a, o)}),
    "users:set_roles": ("org", lambda w, a, o: {"pk": _user(w, a, o)}),
    "users:set_active": ("org", lambda w, a, o: {"pk": _user(w, a, o)}),
    "users:unlock": ("org", lambda w, a, o: {"pk": _user(w, a, o)}),
    "users:reset_password": ("org", lambda w, a, o: {"pk": _user(w, a, o)}),
    "users:approve_reset": ("org", lambda w, a, o: {"pk": _reset(w, a, o)}),
    "audit:detail": ("org", lambda w, a, o: {"pk": _event(w, a, o)}),
    "api:user_detail": ("org", lambda w, a, o: {"user_id": _user(w, a, o)}),
    "api:organisation_detail": ("org", lambda w, a, o: {"org_id": _org(w, a, o)}),
    "api:audit_event_detail": ("org", lambda w, a, o: {"event_id": _event(w, a, o)}),
    "api:region_detail": ("global", lambda w, a, o: {"code": _region(w, a, o)}),
}

# The answer of an allowed, in-scope call with a minimal (usually empty, invalid) form.
# A POST that only re-renders its form is 200; one that redirects (done or refused) is 302.
ALLOWED: dict[tuple[str, str], int] = {
    ("home", "GET"): 200,
    ("login", "GET"): 302,  # a logged-in user is sent home
    ("login", "POST"): 200,
    ("logout", "POST"): 302,
    ("login_mfa", "GET"): 302,  # no password checked in this session: back to the login
    ("login_mfa", "POST"): 302,
    ("login_mfa_enrol", "GET"): 302,
    ("login_mfa_enrol", "POST"): 302,
    ("mfa_settings", "GET"): 200,
    ("mfa_settings", "POST"): 200,
    ("password_change", "GET"): 200,
    ("password_change", "POST"): 200,
    ("token_list", "GET"): 200,
    ("token_list", "POST"): 200,
    ("token_revoke", "POST"): 302,
    ("orgs:list", "GET"): 200,
    ("orgs:detail", "GET"): 200,
    ("orgs:create", "GET"): 200,
    ("orgs:create", "POST"): 200,
    ("orgs:edit", "GET"): 200,
    ("orgs:edit", "POST"): 200,
    ("users:list", "GET"): 200,
    ("users:detail", "GET"): 200,
    ("users:create", "GET"): 200,
    ("users:create", "POST"): 200,
    ("users:edit", "GET"): 200,
    ("users:edit", "POST"): 200,
    ("users:set_roles", "POST"): 302,
    ("users:set_active", "POST"): 302,
    ("users:unlock", "POST"): 302,
    ("users:reset_password", "POST"): 302,
    ("users:reset_requests", "GET"): 200,
    ("users:approve_reset", "POST"): 302,
    ("users:mfa_policy", "GET"): 200,
    ("users:mfa_policy", "POST"): 302,
    ("audit:list", "GET"): 200,
    ("audit:detail", "GET"): 200,
    ("api:api-root", "GET"): 404,  # ninja's placeholder for the API prefix
    ("api:openapi-json", "GET"): 200,
    ("api:openapi-view", "GET"): 200,
    ("api:me", "GET"): 200,
    ("api:user_list", "GET"): 200,
    ("api:user_detail", "GET"): 200,
    ("api:region_list", "GET"): 200,
    ("api:region_detail", "GET"): 200,
    ("api:organisation_list", "GET"): 200,
    ("api:organisation_detail", "GET"): 200,
    ("api:audit_event_list", "GET"): 200,
    ("api:audit_event_detail", "GET"): 200,
}

# The business modules' entries live beside them, in dudao/<app>/tests/matrix.py.
for _app in settings.DOMAIN_APPS:
    _matrix = import_module(f"dudao.{_app}.tests.matrix")
    OBJECTS.update(_matrix.OBJECTS)
    ALLOWED.update(_matrix.ALLOWED)

# Public URLs called by an anonymous visitor.
ANONYMOUS: dict[tuple[str, str], int] = {
    ("login", "GET"): 200,
    ("login", "POST"): 200,
    ("logout", "POST"): 302,
    ("login_mfa", "GET"): 302,
    ("login_mfa", "POST"): 302,
    ("login_mfa_enrol", "GET"): 302,
    ("login_mfa_enrol", "POST"): 302,
    ("api:api-root", "GET"): 404,
    ("api:openapi-json", "GET"): 200,
    ("api:openapi-view", "GET"): 200,
}


def _cases() -> Iterator[tuple[str, str, Role, Ownership]]:
    for name in sorted(policy.POLICY):
        route = ROUTES.get(name)
        ownerships: tuple[Ownership, ...] = (
            ("own", "other") if route and route.kwargs else ("none",)
        )
        for method in sorted(policy.POLICY[name]):
            for role in ROLES:
                for ownership in ownerships:
                    yield name, method, role, ownership


def _allows(access: Access, role: Role, world: World) -> bool:
    """The policy rule read independently of Access.allows: public, any login, or a role."""
    if access.public:
        return True
    if role == "anonymous":
        return False
    if access.roles is None:
        return True
    return any(r in access.roles for r in roles_of(world.actor(role).roles))


def _state() -> tuple[list[Any], ...]:
    """What a refused call must leave unchanged."""
    return (
        list(Organisation.objects.values_list("pk", "version", "path", "is_active")),
        list(User.objects.values_list("pk", "version", "roles", "is_active", "password")),
        list(ApiToken.objects.values_list("pk", "revoked_at")),
        [AuditEvent.objects.count()],
    )


def _call(client: Client, method: str, url: str) -> TestResponse:
    """Call `url` with an empty form: the status class matters here, not success."""
    return client.generic(method, url, data="", content_type="application/x-www-form-urlencoded")


def test_it_has_a_policy_entry_for_every_url() -> None:
    unnamed = [r.route for r in all_routes() if r.name.endswith(":") or not r.name]
    assert unnamed == [], "every URL needs a name so that the policy can list it"
    missing = sorted(set(ROUTES) - set(policy.POLICY))
    assert missing == [], f"URL names missing from dudao.policy.POLICY: {missing}"


def test_it_has_no_policy_entry_for_a_url_that_does_not_exist() -> None:
    stale = sorted(set(policy.POLICY) - set(ROUTES))
    assert stale == [], f"POLICY names URLs that no longer exist: {stale}"


def test_it_knows_the_objects_of_every_url_that_takes_an_id() -> None:
    with_ids = {name for name, route in ROUTES.items() if route.kwargs}
    assert sorted(with_ids - set(OBJECTS)) == [], "add these URLs to OBJECTS"
    assert sorted(set(OBJECTS) - with_ids) == [], "OBJECTS names URLs without ids"


def test_it_knows_the_allowed_answer_of_every_url_and_method() -> None:
    pairs = {(name, method) for name, rules in policy.POLICY.items() for method in rules}
    assert sorted(pairs - set(ALLOWED)) == [], "add the expected answer to ALLOWED"
    public = {(n, m) for n, rules in policy.POLICY.items() for m, a in rules.items() if a.public}
    assert sorted(public ^ set(ANONYMOUS)) == []


UNAUTHENTICATED = {"error": {"code": "unauthenticated", "message": "请先登录或提供 API 令牌。"}}
FORBIDDEN = {"error": {"code": "forbidden", "message": "您没有执行此操作的权限。"}}
NOT_FOUND = {"error": {"code": "not_found", "message": "对象不存在或不在您的数据范围内。"}}


@dataclass(frozen=True)
class Expected:
    """The answer a call must get: its status and, where it matters, a body or a location."""

    status: int
    json: object = None
    text: str | None = None
    location: str | None = None


def _expected_anonymous(route: Route, method: str, url: str) -> Expected:
    if policy.POLICY[route.name][method].public:
        return Expected(ANONYMOUS[(route.name, method)])
    if route.is_api:
        return Expected(401, json=UNAUTHENTICATED)
    return Expected(302, location=f"/login/?next={url}")


def _expected(world: World, route: Route, method: str, actor: ActorName, other: bool) -> Expected:
    if not _allows(policy.POLICY[route.name][method], actor, world):
        if route.is_api:
            return Expected(403, json=FORBIDDEN)
        return Expected(403, text="<h1>403 无权访问</h1><p>您没有执行此操作的权限。</p>")
    scope = OBJECTS[route.name][0] if route.kwargs else None
    if other and (scope == "owner" or (scope == "org" and actor in COUNTY_ACTORS)):
        if route.is_api:
            return Expected(404, json=NOT_FOUND)
        return Expected(404, text="您访问的对象不存在，或不在您的数据范围内。")
    return Expected(ALLOWED[(route.name, method)])


@pytest.mark.parametrize(("name", "method", "role", "ownership"), list(_cases()))
def test_it_applies_the_policy(
    client: Client, world: World, *, name: str, method: str, role: Role, ownership: Ownership
) -> None:
    route = ROUTES.get(name)
    if route is None:
        pytest.fail(f"{name} is in POLICY but not a URL")
    if route.kwargs and name not in OBJECTS:
        pytest.fail(f"{name} takes {route.kwargs}: add it to OBJECTS")
    kwargs: dict[str, object] = {}
    if route.kwargs:
        kwargs = OBJECTS[name][1](world, "judge" if role == "anonymous" else role, ownership)
        assert set(kwargs) == set(route.kwargs)
    url = reverse(name, kwargs=kwargs)
    if role != "anonymous":
        client.force_login(world.actor(role))
    before = _state()

    response = _call(client, method, url)

    if role == "anonymous":
        expected = _expected_anonymous(route, method, url)
    else:
        expected = _expected(world, route, method, role, ownership == "other")
    assert response.status_code == expected.status
    if expected.status in {401, 403, 404} or expected.location:
        assert _state() == before, "a refused call changed data"
    if expected.json is not None:
        assert response.json() == expected.json
    if expected.text is not None:
        assert expected.text in response.content.decode()
    if expected.location is not None:
        assert response["Location"] == expected.location


UNLISTED_METHODS = [
    (name, method)
    for name in sorted(policy.POLICY)
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
    if method not in policy.POLICY[name]
]


@pytest.mark.parametrize(("name", "method"), UNLISTED_METHODS)
def test_it_answers_405_to_a_method_the_policy_does_not_list(
    client: Client, world: World, name: str, method: str
) -> None:
    kwargs: dict[str, object] = {}
    if name in OBJECTS:
        kwargs = OBJECTS[name][1](world, "auditadmin", "own")
    client.force_login(world.auditadmin)
    response = _call(client, method, reverse(name, kwargs=kwargs))
    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == set(policy.POLICY[name])


def test_it_denies_a_url_missing_from_the_policy(
    client: Client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = dict(policy.POLICY)
    del rules["orgs:list"]
    monkeypatch.setattr(policy, "POLICY", rules)
    client.force_login(world.sysadmin)
    response = client.get(reverse("orgs:list"))
    assert response.status_code == 403
    assert "此地址未在访问策略中登记，已拒绝。" in response.content.decode()


def test_it_denies_an_api_url_missing_from_the_policy_with_json(
    client: Client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = {k: v for k, v in policy.POLICY.items() if k != "api:me"}
    monkeypatch.setattr(policy, "POLICY", rules)
    client.force_login(world.city_leader)
    response = client.get(reverse("api:me"))
    assert response.status_code == 403
    assert response.json() == {
        "error": {"code": "forbidden", "message": "此地址未在访问策略中登记，已拒绝。"}
    }
