"""The access matrix for the platform's URLs, and the checks of the matrix's own tables.

The machinery and the access classes are described in dudao/core/tests/policy_matrix.py; each
business module probes its own URLs in dudao/<app>/tests/test_policy_matrix.py.
"""

from __future__ import annotations

from importlib import import_module

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.test import Client
from django.urls import reverse

from dudao import policy
from dudao.core.policy import Access, forbidden
from dudao.core.tests.policy_matrix import (
    ALLOWED,
    ANONYMOUS,
    OBJECTS,
    PLATFORM,
    ROUTES,
    Matrix,
    build_matrix,
    cases,
    check_policy,
    check_unlisted_method,
    names_of,
    unlisted_methods,
)
from dudao.orgs.models import Organisation, OrganisationQuerySet
from dudao.policy import middleware as policy_middleware
from dudao.testing import World, all_routes

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def matrix(world_once: World) -> Matrix:
    return build_matrix(world_once, PLATFORM)


@pytest.mark.parametrize(("name", "method"), cases(PLATFORM))
def test_it_applies_the_policy(matrix: Matrix, name: str, method: str) -> None:
    check_policy(matrix, name, method)


@pytest.mark.parametrize(("name", "method"), unlisted_methods(PLATFORM))
def test_it_answers_405_to_a_method_the_policy_does_not_list(
    matrix: Matrix, name: str, method: str
) -> None:
    check_unlisted_method(matrix, name, method)


# --- The matrix itself fails when access is wrong (a test that cannot fail is worthless) ------


def test_it_fails_when_a_role_the_policy_refuses_gets_in(
    matrix: Matrix, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Access, "allows", lambda self, user: True)
    with pytest.raises(AssertionError) as failure:
        check_policy(matrix, "orgs:edit", "GET")
    for role in ("county_a_reporter", "county_a_reviewer", "judge", "secadmin", "auditadmin"):
        assert f"as {role}/own: status " in str(failure.value)
    assert "as sysadmin/own" not in str(failure.value)


def test_it_fails_when_a_county_actor_sees_another_county(
    matrix: Matrix, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(OrganisationQuerySet, "visible_to", lambda self, user: self)
    with pytest.raises(AssertionError) as failure:
        check_policy(matrix, "orgs:detail", "GET")
    assert "as county_b_reporter/other: status 200, expected 404" in str(failure.value)


def test_it_fails_when_an_anonymous_caller_is_not_sent_to_the_login_page(
    matrix: Matrix, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(policy_middleware, "redirect_to_login", lambda path: redirect("/"))
    with pytest.raises(AssertionError) as failure:
        check_policy(matrix, "orgs:list", "GET")
    assert "as anonymous: Location /, expected /login/?next=/orgs/" in str(failure.value)


def test_it_fails_when_a_refused_call_changes_data(
    matrix: Matrix, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse_after_writing(request: HttpRequest) -> HttpResponse:
        Organisation.objects.filter(pk=matrix.world.county_a.pk).update(is_active=False)
        return forbidden(request)

    monkeypatch.setattr(policy_middleware, "forbidden", refuse_after_writing)
    with pytest.raises(AssertionError) as failure:
        check_policy(matrix, "orgs:create", "GET")
    assert "as judge: a refused call changed data" in str(failure.value)


# --- The tables ------------------------------------------------------------------------------


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


def test_it_probes_every_url_of_the_policy_in_exactly_one_test_module() -> None:
    apps = [PLATFORM, *settings.DOMAIN_APPS]
    probed = [name for app in apps for name in names_of(app)]
    assert sorted(probed) == sorted(policy.POLICY)
    for app in settings.DOMAIN_APPS:
        module = import_module(f"dudao.{app}.tests.test_policy_matrix")
        assert callable(getattr(module, "test_it_applies_the_policy", None)), app
        assert callable(
            getattr(module, "test_it_answers_405_to_a_method_the_policy_does_not_list", None)
        ), app


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
