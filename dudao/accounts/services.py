"""Account services: 系统管理员 creates and disables accounts, 安全管理员 assigns roles and
unlocks, every user changes their own password and manages their own API tokens."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from axes.utils import reset as axes_reset
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from dudao.accounts.models import ApiToken, LoginSession, User, hash_token
from dudao.audit.services import record_event
from dudao.core.exceptions import DomainError, NotAllowed, StaleObject, full_clean_or_raise
from dudao.core.policies import require_role
from dudao.core.roles import (
    ROLE_LABELS,
    Role,
    labels_of,
    role_code,
    role_combination_error,
)
from dudao.core.snapshot import diff, snapshot
from dudao.orgs.models import Organisation

USERNAME_RE = re.compile(r"^[A-Za-z0-9._-]{3,40}$")
PROFILE_FIELDS = ("full_name", "title", "phone", "email", "organisation")


def check_password_policy(password: str, user: User) -> None:
    """Raise DomainError with every broken password rule, in Chinese."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), field="password") from None


def lockout_key(username: str) -> str:
    """Return the key django-axes counts failed logins under: case-insensitive, like login."""
    return username.strip().lower()


def _end_sessions(user: User) -> int:
    keys = list(LoginSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    LoginSession.objects.filter(user=user).delete()
    return len(keys)


@transaction.atomic
def create_user(
    *,
    actor: User,
    username: str,
    full_name: str,
    organisation: Organisation,
    password: str,
    title: str = "",
    phone: str = "",
    email: str = "",
) -> User:
    """Create an account without roles; 安全管理员 then grants roles (two-person rule)."""
    require_role(actor, Role.SYSADMIN)
    username = username.strip()
    if not USERNAME_RE.match(username):
        raise DomainError("用户名只能包含字母、数字和 ._-，长度 3–40。", field="username")
    if not Organisation.objects.visible_to(actor).filter(pk=organisation.pk).exists():
        raise DomainError("所属单位不存在或不在您的管理范围内。", field="organisation")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError("该用户名已被使用。", field="username")
    user = User(
        username=username,
        full_name=full_name.strip(),
        organisation=organisation,
        title=title.strip(),
        phone=phone.strip(),
        email=email.strip(),
    )
    check_password_policy(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.must_change_password = True
    full_clean_or_raise(user, exclude=["password"])
    user.save()
    record_event(
        actor=actor, action="user.create", obj=user, organisation=organisation, after=snapshot(user)
    )
    return user


@transaction.atomic
def update_user(*, actor: User, user: User, version: int | None = None, **changes: object) -> User:
    """Change profile fields (name, title, contact, organisation) of an account in scope."""
    require_role(actor, Role.SYSADMIN)
    user = User.objects.visible_to(actor).select_for_update().get(pk=user.pk)
    if version is not None and version != user.version:
        raise StaleObject("该用户已被他人修改，请刷新后重试。", details=snapshot(user))
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise DomainError(f"不可修改的字段：{'、'.join(sorted(unknown))}")
    new_org = changes.get("organisation")
    if isinstance(new_org, Organisation) and not (
        Organisation.objects.visible_to(actor).filter(pk=new_org.pk).exists()
    ):
        raise DomainError("所属单位不存在或不在您的管理范围内。", field="organisation")
    before = snapshot(user)
    for field, value in changes.items():
        setattr(user, field, value.strip() if isinstance(value, str) else value)
    full_clean_or_raise(user, exclude=["password"])
    user.version = F("version") + 1
    user.save()
    user.refresh_from_db()
    b, a = diff(before, snapshot(user))
    record_event(
        actor=actor,
        action="user.update",
        obj=user,
        organisation=user.organisation,
        before=b,
        after=a,
    )
    return user


@transaction.atomic
def set_user_roles(*, actor: User, user: User, roles: list[Role], reason: str = "") -> User:
    """Grant exactly `roles` to `user` (安全管理员 only; never to oneself)."""
    require_role(actor, Role.SECADMIN)
    user = User.objects.visible_to(actor).select_for_update().get(pk=user.pk)
    if user.pk == actor.pk:
        raise NotAllowed("不能修改自己的角色。")
    mask = 0
    for role in roles:
        mask |= int(role)
    problem = role_combination_error(mask)
    if problem:
        raise DomainError(problem, field="roles")
    before = {"roles": labels_of(user.roles)}
    try:
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(roles=mask, version=F("version") + 1)
    except IntegrityError:
        raise DomainError("角色组合不合规：三员分立，管理员角色不能兼任。", field="roles") from None
    user.refresh_from_db()
    record_event(
        actor=actor,
        action="user.set_roles",
        obj=user,
        organisation=user.organisation,
        before=before,
        after={"roles": labels_of(mask)},
        reason=reason,
    )
    return user


@transaction.atomic
def set_user_active(*, actor: User, user: User, active: bool, reason: str = "") -> User:
    """Enable or disable an account; disabling ends all of its sessions and tokens' use."""
    require_role(actor, Role.SYSADMIN)
    user = User.objects.visible_to(actor).select_for_update().get(pk=user.pk)
    if user.pk == actor.pk:
        raise NotAllowed("不能停用自己的账户。")
    if user.is_active == active:
        return user
    User.objects.filter(pk=user.pk).update(is_active=active, version=F("version") + 1)
    ended = 0 if active else _end_sessions(user)
    user.refresh_from_db()
    record_event(
        actor=actor,
        action="user.activate" if active else "user.deactivate",
        obj=user,
        organisation=user.organisation,
        before={"is_active": not active},
        after={"is_active": active, "ended_sessions": ended},
        reason=reason,
    )
    return user


@transaction.atomic
def reset_password(*, actor: User, user: User, new_password: str, reason: str = "") -> User:
    """Set a temporary password (安全管理员); the user must change it at next login."""
    require_role(actor, Role.SECADMIN)
    user = User.objects.visible_to(actor).select_for_update().get(pk=user.pk)
    check_password_policy(new_password, user)
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.must_change_password = True
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    _end_sessions(user)
    record_event(
        actor=actor,
        action="user.reset_password",
        obj=user,
        organisation=user.organisation,
        reason=reason,
    )
    return user


@transaction.atomic
def change_own_password(*, actor: User, current_password: str, new_password: str) -> User:
    """Change one's own password after re-checking the current one."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    if not user.check_password(current_password):
        raise DomainError("当前密码不正确。", field="current_password")
    if current_password == new_password:
        raise DomainError("新密码不能与当前密码相同。", field="new_password")
    try:
        check_password_policy(new_password, user)
    except DomainError as exc:
        raise DomainError(exc.message, field="new_password") from None
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    record_event(actor=user, action="auth.password_changed", obj=user)
    return user


@transaction.atomic
def unlock_account(*, actor: User, user: User, reason: str = "") -> int:
    """Clear the failed-login lock of `user` (安全管理员); return the attempts cleared."""
    require_role(actor, Role.SECADMIN)
    user = User.objects.visible_to(actor).get(pk=user.pk)
    cleared = axes_reset(username=lockout_key(user.username))
    record_event(
        actor=actor,
        action="auth.unlock",
        obj=user,
        organisation=user.organisation,
        after={"cleared_attempts": cleared},
        reason=reason,
    )
    return int(cleared)


@transaction.atomic
def create_api_token(
    *, actor: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a personal token; return it with the raw secret, shown to the user once."""
    name = name.strip()
    if not name:
        raise DomainError("请填写令牌名称。", field="name")
    if len(name) > 60:
        raise DomainError("令牌名称不能超过60个字符。", field="name")
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError("过期时间必须晚于当前时间。", field="expires_at")
    lookup = secrets.token_hex(6)
    raw = f"{ApiToken.PREFIX}{lookup}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=actor, name=name, lookup=lookup, token_hash=hash_token(raw), expires_at=expires_at
    )
    record_event(
        actor=actor,
        action="token.create",
        obj=token,
        organisation=actor.organisation,
        after={
            "name": name,
            "lookup": lookup,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return token, raw


@transaction.atomic
def revoke_api_token(*, actor: User, token: ApiToken, reason: str = "") -> ApiToken:
    """Revoke a token: its owner, or 安全管理员 for accounts in scope."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if token.user_id != actor.pk:
        require_role(actor, Role.SECADMIN)
        if not User.objects.visible_to(actor).filter(pk=token.user_id).exists():
            raise NotAllowed("该令牌不在您的管理范围内。")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event(
            actor=actor,
            action="token.revoke",
            obj=token,
            organisation=token.user.organisation,
            reason=reason,
            after={"lookup": token.lookup},
        )
    return token


def record_login(*, user: User, session_key: str | None, ip: str | None) -> None:
    """Audit a successful login and remember the session for later termination."""
    with transaction.atomic():
        if session_key:
            LoginSession.objects.update_or_create(
                session_key=session_key, defaults={"user": user, "ip": ip}
            )
        record_event(actor=user, action="auth.login", obj=user)


def record_login_failure(*, username: str, locked: bool) -> None:
    """Audit a failed or locked-out login attempt (the username as typed, encoded)."""
    user = User.objects.filter(username__iexact=username).first() if username else None
    with transaction.atomic():
        record_event(
            actor=None,
            action="auth.lockout" if locked else "auth.login_failed",
            obj=None,
            organisation=user.organisation if user else None,
            object_repr=username[:80],
            actor_name=username[:80],
            success=False,
        )


def role_choices() -> list[tuple[str, str]]:
    """Return (code, label) for every role, for forms."""
    return [(role_code(role), ROLE_LABELS[role]) for role in Role]


def record_session_expired(*, user: User) -> None:
    """Audit the end of a session by timeout."""
    with transaction.atomic():
        record_event(actor=user, action="auth.session_expired", obj=None)


def record_logout(*, user: User) -> None:
    """Audit a logout."""
    with transaction.atomic():
        LoginSession.objects.filter(user=user).exclude(
            session_key__in=Session.objects.values("session_key")
        ).delete()
        record_event(actor=user, action="auth.logout", obj=None)
