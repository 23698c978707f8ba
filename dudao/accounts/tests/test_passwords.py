"""Password rules (等保 8.1.4.1 a, reliability.md §1.3): length, classes, username, blocklist;
and the forced change of an administrator-set password."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dudao.accounts.models import User
from dudao.accounts.services import change_own_password, check_password_policy, create_user
from dudao.core.exceptions import DomainError
from dudao.testing import INITIAL_PASSWORD, TEST_PASSWORD, World, add_user, login_form

pytestmark = pytest.mark.django_db

TOO_SHORT = "密码长度不能少于12个字符。"
TOO_SIMPLE = "密码须包含小写字母、大写字母、数字、特殊字符中的至少3类。"
HAS_USERNAME = "密码不能包含用户名。"
TOO_COMMON = "这个密码太常见了。"


@pytest.mark.parametrize(
    ("password", "messages"),
    [
        ("Ab1!efgh", [TOO_SHORT]),
        ("Ab1!efghijk", [TOO_SHORT]),  # 11 characters
        ("abcdefghijkl", [TOO_SIMPLE]),  # 12 characters, one class
        ("abcdefgh1234", [TOO_SIMPLE]),  # two classes
        ("qzkx", [TOO_SHORT, TOO_SIMPLE]),
        ("Zhangwei-2026", [HAS_USERNAME]),  # the username, in another case
        ("Password1234", [TOO_COMMON]),  # on Django's list of 20,000 common passwords
        ("qwerty123456", [TOO_SIMPLE, TOO_COMMON]),
    ],
)
def test_it_refuses_a_password_breaking_the_policy(
    world: World, password: str, messages: list[str]
) -> None:
    user = User(username="zhangwei", organisation=world.city)
    with pytest.raises(DomainError) as info:
        check_password_policy(password, user)
    assert info.value.message == "；".join(messages)
    assert info.value.field == "password"


@pytest.mark.parametrize(
    "password",
    [
        "abcdefgh123!",  # 12 characters, lower + digits + other
        "ABCDEFGH123!",  # upper + digits + other
        "Abcdefghijk1",  # lower + upper + digits
        "督导平台Abcd1234",  # non-ASCII letters count as "other"
        TEST_PASSWORD,
    ],
    ids=["lower-digit-other", "upper-digit-other", "lower-upper-digit", "chinese", "test"],
)
def test_it_accepts_a_password_meeting_the_policy(world: World, password: str) -> None:
    check_password_policy(password, User(username="zhangwei", organisation=world.city))


def test_it_applies_the_policy_when_creating_a_user(world: World) -> None:
    count = User.objects.count()
    with pytest.raises(DomainError) as info:
        create_user(
            actor=world.sysadmin,
            username="li.na",
            full_name="李娜",
            organisation=world.county_a,
            password="Li.Na-2026-x",
        )
    assert (info.value.message, info.value.field) == (HAS_USERNAME, "password")
    assert User.objects.count() == count


def test_it_stores_only_a_hash_of_the_password(world: World) -> None:
    user = User.objects.get(pk=world.judge.pk)
    assert TEST_PASSWORD not in user.password
    assert user.password.startswith("md5$")  # the fast test hasher that settings select
    assert user.check_password(TEST_PASSWORD)


def test_it_needs_the_current_password_to_change_it(world: World) -> None:
    with pytest.raises(DomainError) as info:
        change_own_password(actor=world.judge, current_password="x", new_password="Nw5$kPz8-Qa2m")
    assert (info.value.message, info.value.field) == ("当前密码不正确。", "current_password")
    with pytest.raises(DomainError) as info:
        change_own_password(
            actor=world.judge, current_password=TEST_PASSWORD, new_password=TEST_PASSWORD
        )
    assert info.value.message == "新密码不能与当前密码相同。"
    assert User.objects.get(pk=world.judge.pk).check_password(TEST_PASSWORD)


def test_it_sends_a_user_with_an_initial_password_to_the_change_page(
    client: Client, world: World
) -> None:
    newbie = add_user(world, world.county_a, username="newbie", must_change_password=True)
    response = login_form(client, "newbie", INITIAL_PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("home"))["Location"] == reverse("password_change")
    assert client.get(reverse("orgs:list"))["Location"] == reverse("password_change")
    api = client.get(reverse("api:me"))
    assert api.status_code == 403
    assert api.json() == {
        "error": {"code": "forbidden", "message": "请先在网页上修改管理员设置的临时密码。"}
    }
    assert client.get(reverse("password_change")).status_code == 200

    response = client.post(
        reverse("password_change"),
        {
            "current_password": INITIAL_PASSWORD,
            "new_password": TEST_PASSWORD,
            "new_password2": TEST_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200  # still logged in, session kept
    newbie.refresh_from_db()
    assert newbie.must_change_password is False


def test_it_shows_password_change_errors_in_chinese(client: Client, world: World) -> None:
    client.force_login(world.judge)
    response = client.post(
        reverse("password_change"),
        {"current_password": TEST_PASSWORD, "new_password": "short", "new_password2": "short"},
    )
    assert response.status_code == 200
    # The rules' messages are shown under the new-password field.
    assert response.context["form"].errors == {"new_password": [f"{TOO_SHORT}；{TOO_SIMPLE}"]}
    assert f'<p class="field-error">{TOO_SHORT}；{TOO_SIMPLE}</p>' in response.content.decode()
    response = client.post(
        reverse("password_change"),
        {
            "current_password": TEST_PASSWORD,
            "new_password": "Nw5$kPz8-Qa2m",
            "new_password2": "Nw5$kPz8-Qa2n",
        },
    )
    assert response.context["form"].errors == {"new_password2": ["两次输入的新密码不一致。"]}
