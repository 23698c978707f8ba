"""The access-control matrix (reliability.md §5.4, AC-*): every URL × method × access class.

The URL list comes from the resolver, the expected answers from `dudao.policy.POLICY`:
anonymous → login redirect (pages) or 401 JSON (API); a role the policy does not name → 403;
an allowed role → the view's own answer, and 404 for another county's object when the actor's
scope is one county. A new URL fails until it is in POLICY and, if it takes an object id, in
`OBJECTS` (here for the platform's URLs, in dudao/<app>/tests/matrix.py for a module's).

Each URL × method is probed once per *access class*, an actor whose answer can differ:

- anonymous;
- each business role in scope (填报员 of a county, 审核员, 督查员, 评委, 领导), which covers
  "in-scope allowed" and "in-scope refused" for every role the policy can name, plus a park
  committee's 填报员 (a park-wide scope) when 填报员 is allowed;
- out of scope, for URLs that take an id: a county actor allowed by the policy with the other
  county's object (404), and a city-wide actor with it (its scope is the whole city);
- each administrator (系统管理员, 安全管理员, 审计管理员).

Methods the policy does not list answer 405. A refused call must leave the data unchanged.

This module holds the machinery; the tests live in dudao/core/tests/test_policy_matrix.py (the
platform's URLs and the checks of the tables) and in each module's
dudao/<app>/tests/test_policy_matrix.py, so that parallel workers can share the work by file.
Speed: the world, the objects and one logged-in client per actor are built once per test
module; each probe runs in a savepoint rolled back after it, so probes cannot see each other.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module
from typing import TYPE_CHECKING, Any, Literal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dudao import policy
from dudao.accounts.models import ApiToken, PasswordResetRequest, User
from dudao.accounts.roles import roles_of
from dudao.audit.models import AuditEvent
from dudao.core.policy import Access
from dudao.core.roles import ADMIN_ROLES
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

Ownership = Literal["own", "other", "none"]
Role = ActorName | Literal["anonymous"]
ROLES: tuple[Role, ...] = ("anonymous", *ACTORS)


ROUTES: dict[str, Route] = {r.name: r for r in all_routes()}


# --- Objects for URLs that take an id --------------------------------------------------------
# "org": scoped by organisation, another county's object is 404 for county actors only;
# "owner": one's own object only (another user's is 404 for everybody);
# "global": reference data, the same for everybody;
# "unpublished": an inspection tour before publication, seen by its organisers and judges only
# (404 for every county actor, own county or not).
Scope = Literal["org", "owner", "global", "unpublished"]
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
    ("account", "GET"): 200,
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
    ("healthz", "GET"): 200,
    ("readyz", "GET"): 503,  # the test world has no job worker heartbeat and no backup
    ("ops:status", "GET"): 200,
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
    ("login_mfa", "GET"): 302,
    ("login_mfa", "POST"): 302,
    ("login_mfa_enrol", "GET"): 302,
    ("login_mfa_enrol", "POST"): 302,
    ("logout", "POST"): 302,
    ("api:api-root", "GET"): 404,
    ("api:openapi-json", "GET"): 200,
    ("api:openapi-view", "GET"): 200,
    ("healthz", "GET"): 200,
    ("readyz", "GET"): 503,
}
for _app in settings.DOMAIN_APPS:
    ANONYMOUS.update(getattr(import_module(f"dudao.{_app}.tests.matrix"), "ANONYMOUS", {}))

# Which test module probes which URL names: each domain app its own POLICY, "core" the rest.
PLATFORM = "core"


def names_of(app: str) -> list[str]:
    """The URL names whose access the test module of `app` probes (PLATFORM: the platform's)."""
    if app != PLATFORM:
        return sorted(import_module(f"dudao.{app}.policy").POLICY)
    modules: set[str] = set()
    for domain_app in settings.DOMAIN_APPS:
        modules |= set(import_module(f"dudao.{domain_app}.policy").POLICY)
    return sorted(set(policy.POLICY) - modules)


def cases(app: str) -> list[tuple[str, str]]:
    """(URL name, method) for every method the policy lists, for the URLs of `app`."""
    return [(name, method) for name in names_of(app) for method in sorted(policy.POLICY[name])]


def unlisted_methods(app: str) -> list[tuple[str, str]]:
    """(URL name, method) for every common method the policy does not list."""
    return [
        (name, method)
        for name in names_of(app)
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
        if method not in policy.POLICY[name]
    ]


def allows(access: Access, role: Role, world: World) -> bool:
    """The policy rule read independently of Access.allows: public, any login, or a role."""
    if access.public:
        return True
    if role == "anonymous":
        return False
    if access.roles is None:
        return True
    return any(r in access.roles for r in roles_of(world.actor(role).roles))


def state() -> tuple[list[Any], ...]:
    """What a refused call must leave unchanged."""
    return (
        list(Organisation.objects.values_list("pk", "version", "path", "is_active")),
        list(User.objects.values_list("pk", "version", "roles", "is_active", "password")),
        list(ApiToken.objects.values_list("pk", "revoked_at")),
        # A refused administrator URL appends its access.denied event (checked on its own).
        [AuditEvent.objects.exclude(action="access.denied").count()],
    )


def denied_events() -> int:
    """Refused privileged attempts recorded so far (issue 11: they are audited)."""
    return AuditEvent.objects.filter(action="access.denied", success=False).count()


def is_administrator_url(access: Access) -> bool:
    return access.roles is not None and access.roles <= frozenset(ADMIN_ROLES)


def call(client: Client, method: str, url: str) -> TestResponse:
    """Call `url` with an empty form: the status class matters here, not success."""
    return client.generic(method, url, data="", content_type="application/x-www-form-urlencoded")


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


def expected_anonymous(route: Route, method: str, url: str) -> Expected:
    if policy.POLICY[route.name][method].public:
        return Expected(ANONYMOUS[(route.name, method)])
    if route.is_api:
        return Expected(401, json=UNAUTHENTICATED)
    return Expected(302, location=f"/login/?next={url}")


def expected(world: World, route: Route, method: str, actor: ActorName, other: bool) -> Expected:
    if not allows(policy.POLICY[route.name][method], actor, world):
        if route.is_api:
            return Expected(403, json=FORBIDDEN)
        return Expected(403, text="<h1>403 无权访问</h1><p>您没有执行此操作的权限。</p>")
    scope = OBJECTS[route.name][0] if route.kwargs else None
    if (scope == "unpublished" and actor in COUNTY_ACTORS) or (
        other and (scope == "owner" or (scope == "org" and actor in COUNTY_ACTORS))
    ):
        if route.is_api:
            return Expected(404, json=NOT_FOUND)
        return Expected(404, text="您访问的对象不存在，或不在您的数据范围内。")
    return Expected(ALLOWED[(route.name, method)])


# --- Access classes ----------------------------------------------------------------------------
# One actor per business role, in scope ("own"): a county's 填报员 and 审核员, the city's
# 督查员, 评委 and 领导. The park committee's 填报员 adds the park-wide scope.
BUSINESS_PROBES: tuple[ActorName, ...] = (
    "county_a_reporter",
    "county_a_reviewer",
    "city_supervisor",
    "judge",
    "city_leader",
)
PARK_PROBE: ActorName = "park_reporter"
ADMIN_PROBES: tuple[ActorName, ...] = ("sysadmin", "secadmin", "auditadmin")
# Out of scope: the first allowed county actor, and the first allowed city-wide actor.
COUNTY_OUTSIDERS: tuple[ActorName, ...] = (
    "county_b_reporter",
    "county_a_reporter",
    "county_a_reviewer",
    "park_reporter",
)
CITY_OUTSIDERS: tuple[ActorName, ...] = (
    "city_leader",
    "judge",
    "city_supervisor",
    "sysadmin",
    "secadmin",
    "auditadmin",
)
# The object an anonymous or refused caller asks for: the policy answers before the view.
NOBODY: tuple[ActorName, Ownership] = ("judge", "own")


@dataclass(frozen=True)
class Probe:
    """One call of the matrix: who calls, and whose object the URL names."""

    role: Role
    ownership: Ownership  # "none" for URLs without an id

    @property
    def label(self) -> str:
        return self.role if self.ownership == "none" else f"{self.role}/{self.ownership}"


def probes(world: World, name: str, method: str) -> list[Probe]:
    """The access classes of one URL × method (see the module docstring)."""
    route = ROUTES[name]
    access = policy.POLICY[name][method]
    own: Ownership = "own" if route.kwargs else "none"
    found = [Probe("anonymous", own)]
    found += [Probe(actor, own) for actor in (*BUSINESS_PROBES, *ADMIN_PROBES)]
    if allows(access, PARK_PROBE, world):
        found.append(Probe(PARK_PROBE, own))
    if route.kwargs:
        for outsiders in (COUNTY_OUTSIDERS, CITY_OUTSIDERS):
            allowed = [a for a in outsiders if allows(access, a, world)]
            if allowed:
                found.append(Probe(allowed[0], "other"))
    return found


def object_key(world: World, name: str, method: str, probe: Probe) -> tuple[ActorName, Ownership]:
    """Whose object the probe's URL names: the actor's own (or other), or NOBODY's if refused."""
    if probe.role == "anonymous" or probe.ownership == "none":
        return NOBODY
    if not allows(policy.POLICY[name][method], probe.role, world):
        return NOBODY
    return probe.role, probe.ownership


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run the block in a savepoint rolled back at its end.

    Marked like a TestCase's own atomic block, so that a durable block inside still runs.
    """
    atomic = transaction.atomic()
    atomic._from_testcase = True  # type: ignore[attr-defined]  # not in django-stubs 5.2.9
    with atomic:
        yield
        transaction.set_rollback(True)


@dataclass
class Matrix:
    """The world of one test module: objects by (URL name, actor, ownership), logged-in clients."""

    world: World
    names: list[str]
    kwargs: dict[tuple[str, ActorName, Ownership], dict[str, object]] = field(default_factory=dict)
    clients: dict[Role, Client] = field(default_factory=dict)

    def url(self, name: str, key: tuple[ActorName, Ownership]) -> str:
        route = ROUTES[name]
        if not route.kwargs:
            return reverse(name)
        return reverse(name, kwargs=self.kwargs[(name, *key)])


def build_matrix(world: World, app: str) -> Matrix:
    """Create the objects every probe of `app`'s URLs needs and log every actor in, once.

    Call it inside the module's transaction (`world_once`): everything here lasts as long as
    the module's tests, and each probe is rolled back.
    """
    matrix = Matrix(world=world, names=names_of(app))
    for name in matrix.names:
        route = ROUTES[name]
        if not route.kwargs:
            continue
        if name not in OBJECTS:
            continue  # test_it_knows_the_objects_of_every_url_that_takes_an_id fails
        for method in policy.POLICY[name]:
            for probe in probes(world, name, method):
                key = object_key(world, name, method, probe)
                if (name, *key) not in matrix.kwargs:
                    made = OBJECTS[name][1](world, *key)
                    assert set(made) == set(route.kwargs), f"{name}: {made} ≠ {route.kwargs}"
                    matrix.kwargs[(name, *key)] = made
    matrix.clients["anonymous"] = Client()
    for actor in ACTORS:
        client = Client()
        client.force_login(world.actor(actor))
        matrix.clients[actor] = client
    return matrix


@contextmanager
def _as_before(client: Client) -> Iterator[None]:
    """Give the client its cookies back (a logout or a login rotates or drops the session)."""
    cookies = copy.deepcopy(client.cookies)
    try:
        yield
    finally:
        client.cookies = cookies


def check_policy(matrix: Matrix, name: str, method: str) -> None:
    """Probe one URL × method with every access class; fail listing each wrong answer."""
    route = ROUTES.get(name)
    assert route is not None, f"{name} is in POLICY but not a URL"
    assert not route.kwargs or name in OBJECTS, f"{name} takes {route.kwargs}: add it to OBJECTS"
    world = matrix.world
    before = state()
    denied_before = denied_events()
    wrong: list[str] = []
    for probe in probes(world, name, method):
        url = matrix.url(name, object_key(world, name, method, probe))
        if probe.role == "anonymous":
            want = expected_anonymous(route, method, url)
        else:
            want = expected(world, route, method, probe.role, probe.ownership == "other")
        client = matrix.clients[probe.role]
        cache.clear()  # rate counters start from zero, as in a test of its own
        with _as_before(client), rolled_back():
            response = call(client, method, url)
            got: list[str] = []
            if response.status_code != want.status:
                got.append(f"status {response.status_code}, expected {want.status}")
            elif (want.status in {401, 403, 404} or want.location) and state() != before:
                got.append("a refused call changed data")
            elif want.status == 403 and probe.role != "anonymous":
                access = policy.POLICY[name].get(method)
                audited = access is not None and is_administrator_url(access)
                if denied_events() - denied_before != int(audited):
                    got.append("a refused administrator URL must write one access.denied event")
            if not got and want.json is not None and response.json() != want.json:
                got.append(f"body {response.json()}, expected {want.json}")
            if not got and want.text is not None and want.text not in response.content.decode():
                got.append(f"the page does not say {want.text!r}")
            if not got and want.location is not None and response["Location"] != want.location:
                got.append(f"Location {response['Location']}, expected {want.location}")
        wrong += [f"{method} {url} as {probe.label}: {g}" for g in got]
    assert wrong == [], "\n".join(wrong)


def check_unlisted_method(matrix: Matrix, name: str, method: str) -> None:
    """A method the policy does not list answers 405 with the listed ones in Allow."""
    client = matrix.clients["auditadmin"]
    with _as_before(client), rolled_back():
        response = call(client, method, matrix.url(name, NOBODY))
    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == set(policy.POLICY[name])
