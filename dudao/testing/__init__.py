"""The shared test world: one small city with a named actor per role, and typed factories.

Everything is built through the real services (create_organisation, create_user,
set_user_roles …), so building the world already exercises the paths production uses:

    示范市人民政府 (city)                       city_leader, judge
    ├── 示范市人民政府督查室 (scope: parent)     city_supervisor
    ├── 示范市大数据管理局 (scope: parent)       sysadmin, secadmin, auditadmin
    ├── 甲县人民政府 (county A)                 county_a_reviewer
    │   ├── 甲县发展和改革委员会 (scope: parent)  county_a_reporter
    │   └── 甲县产业集聚区管理委员会 (park A)      park_reporter
    └── 乙县人民政府 (county B)
        ├── 乙县发展和改革委员会 (scope: parent)  county_b_reporter
        └── 乙县产业集聚区管理委员会 (park B)

Factories are plain typed functions (architecture.md §7.5); the pytest fixtures that use
them live in the repository's conftest.py.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING, Literal, TypeAlias, TypeVar, cast, get_args

from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from dudao.accounts import services as account_services
from dudao.accounts.models import ApiToken, User
from dudao.audit.models import AuditEvent
from dudao.audit.services import record_event
from dudao.core.roles import Role
from dudao.core.snapshot import snapshot
from dudao.orgs import services as org_services
from dudao.orgs.models import Organisation
from dudao.regions.models import Region

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

    # What the test client returns: an HttpResponse with .json(), .context, .templates …
    TestResponse: TypeAlias = _MonkeyPatchedWSGIResponse

K = Organisation.Kind
T = TypeVar("T")

# 13 characters, four character classes, no world username inside, not a common password.
TEST_PASSWORD = "Tq7#wLm2-Rx9v"  # noqa: S105 - test accounts only
# What 系统管理员 gives a new account; its owner replaces it (must_change_password).
INITIAL_PASSWORD = "Init#2026-Temp"  # noqa: S105 - test accounts only

ActorName = Literal[
    "county_a_reporter",
    "county_a_reviewer",
    "park_reporter",
    "county_b_reporter",
    "city_supervisor",
    "city_leader",
    "judge",
    "sysadmin",
    "secadmin",
    "auditadmin",
]
ACTORS: tuple[ActorName, ...] = get_args(ActorName)
# Actors whose data scope is one county (or a park inside it), not the whole city.
COUNTY_ACTORS: frozenset[ActorName] = frozenset(
    {"county_a_reporter", "county_a_reviewer", "park_reporter", "county_b_reporter"}
)
ADMIN_ACTORS: frozenset[ActorName] = frozenset({"sysadmin", "secadmin", "auditadmin"})

_serial = itertools.count(1)


@dataclass
class World:
    """The organisations and the named actors of the test city."""

    city: Organisation
    supervision_office: Organisation
    data_bureau: Organisation
    county_a: Organisation
    county_a_drc: Organisation
    park_a: Organisation
    county_b: Organisation
    county_b_drc: Organisation
    park_b: Organisation

    county_a_reporter: User
    county_a_reviewer: User
    park_reporter: User
    county_b_reporter: User
    city_supervisor: User
    city_leader: User
    judge: User
    sysadmin: User
    secadmin: User
    auditadmin: User

    # Objects built once for this world and shared by the tests that use it (see `once`).
    memo: dict[object, object] = field(default_factory=dict, repr=False, compare=False)

    def once(self, key: object, build: Callable[[], T]) -> T:
        """Return what `build()` returned the first time it was asked for `key` in this world.

        The access matrix builds one world per test module and each probe is rolled back, so
        a shared object (a tour, a computed regime) need not be built again for every URL.
        A reloaded world starts with an empty memo.
        """
        if key not in self.memo:
            self.memo[key] = build()
        return cast("T", self.memo[key])

    def actor(self, name: ActorName) -> User:
        """Return the actor called `name`."""
        user = getattr(self, name)
        if not isinstance(user, User):
            raise TypeError(f"{name} is not an actor")
        return user

    def home_county(self, name: ActorName) -> Organisation:
        """Return the actor's county; county A for city-level actors (county B is "other")."""
        org = self.actor(name).organisation
        return self.county_b if org.path.startswith(self.county_b.path) else self.county_a

    def other_county(self, name: ActorName) -> Organisation:
        """Return a county outside a county actor's scope (county B for city actors)."""
        return self.county_a if self.home_county(name) == self.county_b else self.county_b

    def reload(self) -> World:
        """Return a copy with every object read again from the database (2 queries)."""
        org_names = [
            f.name for f in fields(self) if isinstance(getattr(self, f.name), Organisation)
        ]
        user_names = [f.name for f in fields(self) if isinstance(getattr(self, f.name), User)]
        orgs = Organisation.objects.in_bulk([getattr(self, n).pk for n in org_names])
        users = User.objects.in_bulk([getattr(self, n).pk for n in user_names])
        values: dict[str, Organisation | User] = {n: orgs[getattr(self, n).pk] for n in org_names}
        values.update({n: users[getattr(self, n).pk] for n in user_names})
        return World(**values)  # type: ignore[arg-type]


class _SetupAtomic(transaction.Atomic):
    """An atomic block that durable services may run inside, as inside Django's TestCase.

    Public services are `transaction.atomic(durable=True)`: Django refuses them inside another
    atomic block unless that block was opened by a test case (`Atomic._from_testcase`, see
    django/db/transaction.py `Atomic.__enter__`). Test-data setup (the world, a module's
    fixtures, a load rolled back at the end) is such a block, so it says so.
    """

    def __init__(self) -> None:
        super().__init__(using=None, savepoint=True, durable=False)
        self._from_testcase = True


def setup_atomic() -> transaction.Atomic:
    """Return an atomic block for test-data setup inside which durable services may run."""
    return _SetupAtomic()


def bootstrap_admin(
    *, username: str, full_name: str, organisation: Organisation, role: Role
) -> User:
    """Create an administrator the way `dudao createadmin` does (the one audited bypass)."""
    with transaction.atomic():
        user = User(
            username=username, full_name=full_name, organisation=organisation, roles=int(role)
        )
        user.set_password(TEST_PASSWORD)
        user.save()
        record_event(
            actor=None,
            actor_name="createadmin",
            action="user.create",
            obj=user,
            after=snapshot(user),
            reason="服务器命令 createadmin",
        )
    return user


def make_organisation(
    actor: User,
    *,
    parent: Organisation,
    name: str | None = None,
    code: str | None = None,
    kind: str = K.DEPARTMENT,
    uscc: str = "",
    region: Region | None = None,
) -> Organisation:
    """Create an organisation under `parent` through the service (as `actor`)."""
    n = next(_serial)
    return org_services.create_organisation(
        actor=actor,
        name=name or f"测试单位{n}",
        code=code or f"T{n:04d}",
        kind=kind,
        parent=parent,
        uscc=uscc,
        region=region,
    )


def make_user(
    *,
    sysadmin: User,
    secadmin: User,
    organisation: Organisation,
    roles: tuple[Role, ...] = (),
    username: str | None = None,
    full_name: str | None = None,
    must_change_password: bool = False,
) -> User:
    """Create an account (系统管理员) and grant its roles (安全管理员), as in production.

    Unless `must_change_password`, the owner then replaces the initial password with
    TEST_PASSWORD, as the forced password change at first login requires.
    """
    n = next(_serial)
    user = account_services.create_user(
        actor=sysadmin,
        username=username or f"user{n:04d}",
        full_name=full_name or f"测试用户{n}",
        organisation=organisation,
        password=INITIAL_PASSWORD,
    )
    if roles:
        user = account_services.set_user_roles(
            actor=secadmin, user=user, roles=list(roles), reason="测试授权"
        )
    if not must_change_password:
        user = account_services.change_own_password(
            actor=user, current_password=INITIAL_PASSWORD, new_password=TEST_PASSWORD
        )
    return user


def add_user(
    world: World,
    organisation: Organisation,
    *roles: Role,
    username: str | None = None,
    must_change_password: bool = False,
) -> User:
    """Create one more account in the world by its administrators."""
    return make_user(
        sysadmin=world.sysadmin,
        secadmin=world.secadmin,
        organisation=organisation,
        roles=roles,
        username=username,
        must_change_password=must_change_password,
    )


def make_token(
    user: User, *, name: str = "测试令牌", expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a personal API token for `user`; return it with its raw secret."""
    return account_services.create_api_token(actor=user, name=name, expires_at=expires_at)


def org_create_event(org: Organisation) -> AuditEvent:
    """Return the audit event that recorded the creation of `org`."""
    return AuditEvent.objects.get(
        action="org.create", object_type="orgs.organisation", object_id=str(org.pk)
    )


def login_form(client: Client, username: str, password: str = TEST_PASSWORD) -> TestResponse:
    """Log in through the real login page (axes, audit, session rotation included)."""
    return client.post(reverse("login"), {"username": username, "password": password})


# The authenticator of test accounts that must pass a second factor (hex, 20 bytes).
TEST_TOTP_KEY = "3132333435363738393031323334353637383930"


def totp_code(key_hex: str = TEST_TOTP_KEY) -> str:
    """Return the TOTP code an authenticator holding `key_hex` shows now."""
    return f"{TOTP(bytes.fromhex(key_hex)).token():06d}"  # type: ignore[no-untyped-call]


def login_with_second_factor(
    client: Client, username: str, password: str = TEST_PASSWORD
) -> TestResponse:
    """Log in through the real pages, passing the second factor when the account needs one
    (an account without an authenticator gets one holding TEST_TOTP_KEY)."""
    response = login_form(client, username, password)
    if response.get("Location") in (reverse("login_mfa"), reverse("login_mfa_enrol")):
        user = User.objects.get(username__iexact=username)
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name="测试", key=TEST_TOTP_KEY, confirmed=True)
        response = client.post(reverse("login_mfa"), {"code": totp_code()})
    return response


@dataclass(frozen=True)
class Route:
    """One URL pattern: its full name ("orgs:detail"), route and keyword arguments."""

    name: str
    route: str
    kwargs: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")


def _walk(resolver: URLResolver, namespace: str, prefix: str) -> Iterator[Route]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, ns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            kwargs = tuple(re.findall(r"<(?:\w+:)?(\w+)>", route))
            yield Route(f"{namespace}{entry.name or ''}", route, kwargs)


def all_routes() -> list[Route]:
    """Every URL pattern of the project, the ninja API's included (named `api:…`)."""
    return list(_walk(get_resolver(), "", ""))


def build_world() -> World:
    """Build the test city through the services; see the module docstring for its shape."""
    with setup_atomic():
        city = org_services.create_root_organisation(
            name="示范市人民政府", code="SFS", kind=K.CITY_GOV, short_name="示范市"
        )
        sysadmin = bootstrap_admin(
            username="sysadmin", full_name="孙系统", organisation=city, role=Role.SYSADMIN
        )
        bureau = make_organisation(
            sysadmin, parent=city, name="示范市大数据管理局", code="SFS-DSJ", kind=K.DEPARTMENT
        )
        secadmin = bootstrap_admin(
            username="secadmin", full_name="陈安全", organisation=bureau, role=Role.SECADMIN
        )
        sysadmin = account_services.update_user(actor=sysadmin, user=sysadmin, organisation=bureau)
        office = make_organisation(
            sysadmin,
            parent=city,
            name="示范市人民政府督查室",
            code="SFS-DCS",
            kind=K.SUPERVISION_OFFICE,
        )
        counties: list[tuple[Organisation, Organisation, Organisation]] = []
        for letter, name in (("A", "甲县"), ("B", "乙县")):
            county = make_organisation(
                sysadmin,
                parent=city,
                name=f"{name}人民政府",
                code=f"SFS-{letter}",
                kind=K.COUNTY_GOV,
            )
            drc = make_organisation(
                sysadmin,
                parent=county,
                name=f"{name}发展和改革委员会",
                code=f"SFS-{letter}-FGW",
                kind=K.DRC,
            )
            park = make_organisation(
                sysadmin,
                parent=county,
                name=f"{name}产业集聚区管理委员会",
                code=f"SFS-{letter}-P1",
                kind=K.PARK_COMMITTEE,
            )
            counties.append((county, drc, park))
        (county_a, county_a_drc, park_a), (county_b, county_b_drc, park_b) = counties

        def person(username: str, full_name: str, org: Organisation, role: Role) -> User:
            return make_user(
                sysadmin=sysadmin,
                secadmin=secadmin,
                organisation=org,
                roles=(role,),
                username=username,
                full_name=full_name,
            )

        return World(
            city=city,
            supervision_office=office,
            data_bureau=bureau,
            county_a=county_a,
            county_a_drc=county_a_drc,
            park_a=park_a,
            county_b=county_b,
            county_b_drc=county_b_drc,
            park_b=park_b,
            county_a_reporter=person("a_reporter", "甲县填报员", county_a_drc, Role.REPORTER),
            county_a_reviewer=person("a_reviewer", "甲县审核员", county_a, Role.REVIEWER),
            park_reporter=person("park_reporter", "园区填报员", park_a, Role.REPORTER),
            county_b_reporter=person("b_reporter", "乙县填报员", county_b_drc, Role.REPORTER),
            city_supervisor=person("supervisor", "市督查员", office, Role.SUPERVISOR),
            city_leader=person("leader", "市领导", city, Role.LEADER),
            judge=person("judge", "市评委", city, Role.JUDGE),
            sysadmin=sysadmin,
            secadmin=secadmin,
            auditadmin=person("auditadmin", "林审计", bureau, Role.AUDITADMIN),
        )
