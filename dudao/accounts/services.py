"""Account services: 系统管理员 creates and disables accounts, 安全管理员 assigns roles and
unlocks, every user changes their own password and manages their own API tokens."""

from __future__ import annotations

import functools
import re
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import ParamSpec, TypeVar

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from dudao.accounts.models import (
    ApiToken,
    LoginSession,
    PasswordResetRequest,
    User,
    hash_token,
)
from dudao.audit.services import record_event
from dudao.core.exceptions import DomainError, NotAllowed, StaleObject, full_clean_or_raise
from dudao.core.policies import require_role
from dudao.core.roles import (
    ADMIN_ROLES,
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

P = ParamSpec("P")
T = TypeVar("T")


def _record_refusal(actor: User, action: str, target: User | None, message: str) -> None:
    """Audit a refused privileged attempt (success=False) in its own transaction: the refused
    change itself was rolled back, its record must not be."""
    with transaction.atomic():
        record_event(
            actor=actor,
            action=action,
            obj=target,
            organisation=target.organisation if target is not None else None,
            after={"refused": message},
            success=False,
        )


def audits_refusal(action: str) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Wrap a service so that a NotAllowed it raises is audited as `action` with success=False
    (the acting administrator, the target account and the Chinese reason)."""

    def decorate(service: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(service)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            try:
                return service(*args, **kwargs)
            except NotAllowed as exc:
                actor = kwargs.get("actor")
                target = kwargs.get("user")
                if isinstance(actor, User):
                    _record_refusal(
                        actor, action, target if isinstance(target, User) else None, exc.message
                    )
                raise

        return wrapper

    return decorate


def _revoke_tokens(user: User) -> list[str]:
    """Revoke every active API token of `user`; return their lookups for the audit event."""
    active = ApiToken.objects.active().filter(user=user)
    lookups = sorted(active.values_list("lookup", flat=True))
    if lookups:
        ApiToken.objects.filter(user=user, lookup__in=lookups).update(revoked_at=timezone.now())
    return lookups


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


@audits_refusal("user.set_roles")
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


@audits_refusal("user.set_active")
@transaction.atomic
def set_user_active(*, actor: User, user: User, active: bool, reason: str = "") -> User:
    """Enable or disable an account; disabling ends all of its sessions and revokes its tokens."""
    require_role(actor, Role.SYSADMIN)
    user = User.objects.visible_to(actor).select_for_update().get(pk=user.pk)
    if user.pk == actor.pk:
        raise NotAllowed("不能停用自己的账户。")
    if user.is_active == active:
        return user
    User.objects.filter(pk=user.pk).update(is_active=active, version=F("version") + 1)
    ended = 0 if active else _end_sessions(user)
    revoked = [] if active else _revoke_tokens(user)
    user.refresh_from_db()
    after: dict[str, object] = {"is_active": active, "ended_sessions": ended}
    if revoked:
        after["revoked_tokens"] = revoked
    record_event(
        actor=actor,
        action="user.activate" if active else "user.deactivate",
        obj=user,
        organisation=user.organisation,
        before={"is_active": not active},
        after=after,
        reason=reason,
    )
    return user


def _apply_temporary_password(*, user: User, password_hash: str, reset_by: User) -> list[str]:
    """Set a temporary password someone else chose: the owner must change it at next login,
    their sessions end and their API tokens are revoked. Return the revoked token lookups."""
    user.password = password_hash
    user.password_changed_at = timezone.now()
    user.must_change_password = True
    user.password_reset_by = reset_by
    user.save(
        update_fields=[
            "password",
            "password_changed_at",
            "must_change_password",
            "password_reset_by",
        ]
    )
    _end_sessions(user)
    return _revoke_tokens(user)


def _refuse_own_reset(actor: User, user: User) -> None:
    if user.pk == actor.pk:
        raise NotAllowed("不能通过重置修改自己的密码，请在“修改密码”页输入当前密码后修改。")


@audits_refusal("user.reset_password")
@transaction.atomic
def reset_password(*, actor: User, user: User, new_password: str, reason: str = "") -> User:
    """Set a temporary password (安全管理员); the user must change it at next login.

    Never one's own password (that needs the current one), never an administrator's (that
    needs a second administrator: `request_password_reset`)."""
    require_role(actor, Role.SECADMIN)
    _refuse_own_reset(actor, user)
    user = User.objects.visible_to(actor).select_for_update().get(pk=user.pk)
    if user.admin_role is not None:
        raise NotAllowed("管理员账户的密码重置须经另一名管理员批准，请提交重置申请。")
    check_password_policy(new_password, user)
    revoked = _apply_temporary_password(
        user=user, password_hash=make_password(new_password), reset_by=actor
    )
    record_event(
        actor=actor,
        action="user.reset_password",
        obj=user,
        organisation=user.organisation,
        after={"revoked_tokens": revoked} if revoked else None,
        reason=reason,
    )
    return user


@audits_refusal("user.reset_password_request")
@transaction.atomic
def request_password_reset(
    *, actor: User, user: User, new_password: str, reason: str
) -> PasswordResetRequest:
    """File the reset of an administrator's password (安全管理员); another one approves."""
    require_role(actor, Role.SECADMIN)
    _refuse_own_reset(actor, user)
    user = User.objects.visible_to(actor).select_for_update().get(pk=user.pk)
    if user.admin_role is None:
        raise DomainError("该账户不是管理员，可直接重置密码。")
    if not reason.strip():
        raise DomainError("请填写原因。", field="reason")
    check_password_policy(new_password, user)
    request = PasswordResetRequest.objects.create(
        user=user,
        requested_by=actor,
        password=make_password(new_password),
        reason=reason.strip(),
        expires_at=timezone.now() + settings.DUDAO_RESET_REQUEST_TTL,
    )
    record_event(
        actor=actor,
        action="user.reset_password_request",
        obj=user,
        organisation=user.organisation,
        after={"request": request.pk, "expires_at": request.expires_at.isoformat()},
        reason=request.reason,
    )
    return request


@audits_refusal("user.reset_password_approve")
@transaction.atomic
def approve_password_reset(*, actor: User, request: PasswordResetRequest) -> User:
    """Approve a pending reset of an administrator's password (another of the three
    administrators: neither the requester nor the account's owner); it takes effect now."""
    require_role(actor, *ADMIN_ROLES)
    request = PasswordResetRequest.objects.select_for_update().get(pk=request.pk)
    user = User.objects.visible_to(actor).select_for_update().get(pk=request.user_id)
    if request.requested_by_id == actor.pk:
        raise NotAllowed("申请人不能批准自己提交的密码重置申请（双人规则）。")
    if user.pk == actor.pk:
        raise NotAllowed("不能批准重置自己密码的申请。")
    if request.approved_at is not None:
        raise DomainError("该申请已被批准。")
    if request.expires_at <= timezone.now():
        raise DomainError("该申请已过期，请重新提交。")
    request.approved_by = actor
    request.approved_at = timezone.now()
    request.save(update_fields=["approved_by", "approved_at"])
    revoked = _apply_temporary_password(
        user=user, password_hash=request.password, reset_by=request.requested_by
    )
    record_event(
        actor=actor,
        action="user.reset_password",
        obj=user,
        organisation=user.organisation,
        after={
            "request": request.pk,
            "requested_by": request.requested_by.username,
            "approved_by": actor.username,
            "revoked_tokens": revoked,
        },
        reason=request.reason,
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
    user.password_reset_by = None
    user.save(
        update_fields=[
            "password",
            "password_changed_at",
            "must_change_password",
            "password_reset_by",
        ]
    )
    record_event(actor=user, action="auth.password_changed", obj=user)
    return user


@audits_refusal("auth.unlock")
@transaction.atomic
def unlock_account(*, actor: User, user: User, reason: str = "") -> int:
    """Clear the failed-login lock of `user` (安全管理员); return the attempts cleared."""
    require_role(actor, Role.SECADMIN)
    user = User.objects.visible_to(actor).get(pk=user.pk)
    cleared = axes_reset(username=lockout_key(user.username))
    TOTPDevice.objects.filter(user=user).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
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


@audits_refusal("token.revoke")
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
        if user.password_reset_by_id is not None and user.password_reset_by_id != user.pk:
            # Someone else chose this password: the 审计管理员 sees who may be acting as whom.
            reset_by = User.objects.filter(pk=user.password_reset_by_id).first()
            record_event(
                actor=user,
                action="account.login_after_reset",
                obj=user,
                after={"reset_by": reset_by.username if reset_by else None},
            )


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


# The second factor lives in its own module; its services are part of this public surface.


# The second factor lives in its own module; its services are part of this public surface.
from dudao.accounts.mfa import MFA_FAILED as MFA_FAILED  # noqa: E402, PLC0414
from dudao.accounts.mfa import confirmed_device as confirmed_device  # noqa: E402, PLC0414
from dudao.accounts.mfa import enrol_totp as enrol_totp  # noqa: E402, PLC0414
from dudao.accounts.mfa import mfa_locked as mfa_locked  # noqa: E402, PLC0414
from dudao.accounts.mfa import needs_mfa as needs_mfa  # noqa: E402, PLC0414
from dudao.accounts.mfa import new_totp_key as new_totp_key  # noqa: E402, PLC0414
from dudao.accounts.mfa import regenerate_recovery_codes as regenerate_recovery_codes  # noqa: E402, PLC0414
from dudao.accounts.mfa import required_mfa_roles as required_mfa_roles  # noqa: E402, PLC0414
from dudao.accounts.mfa import set_mfa_required as set_mfa_required  # noqa: E402, PLC0414
from dudao.accounts.mfa import verify_second_factor as verify_second_factor  # noqa: E402, PLC0414
