"""The second factor: TOTP devices, recovery codes, the per-role requirement and the
second-factor lockout (issue 11). Re-exported by dudao.accounts.services."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from dudao.accounts import rules as mfa_rules
from dudao.accounts.models import (
    MfaRoleSetting,
    RecoveryCode,
    User,
)
from dudao.audit.services import record_event
from dudao.core.exceptions import DomainError
from dudao.core.policies import require_role
from dudao.core.roles import (
    ROLE_LABELS,
    Role,
)

MFA_FAILED = "验证码错误。连续失败5次，两步验证将被锁定30分钟。"


def required_mfa_roles() -> int:
    """Return the mask of business roles whose second factor the settings make compulsory."""
    mask = 0
    for role in MfaRoleSetting.objects.filter(required=True).values_list("role", flat=True):
        mask |= role
    return mask


def needs_mfa(user: User) -> bool:
    """Return True when `user` must pass a second factor at login (enrolled or not)."""
    return mfa_rules.mfa_required(user, required_mfa_roles()) or confirmed_device(user) is not None


def confirmed_device(user: User) -> TOTPDevice | None:
    """Return the user's confirmed TOTP device, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def new_totp_key() -> str:
    """Return a fresh 160-bit TOTP key (hex, as django-otp stores it)."""
    return secrets.token_hex(20)


def _totp_step(key_hex: str, code: str) -> int | None:
    """Return the time step `code` belongs to (within one step of now), or None."""
    digits = "".join(ch for ch in code if ch.isdigit())
    if len(digits) != 6:
        return None
    totp = TOTP(bytes.fromhex(key_hex))  # type: ignore[no-untyped-call]
    if not totp.verify(int(digits), tolerance=1):  # type: ignore[no-untyped-call]
        return None
    return int(totp.t())  # type: ignore[no-untyped-call]


def _issue_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [mfa_rules.new_recovery_code() for _ in range(mfa_rules.RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, code_hash=mfa_rules.hash_recovery_code(c)) for c in codes]
    )
    return codes


@transaction.atomic(durable=True)
def enrol_totp(*, actor: User, key_hex: str, code: str) -> list[str]:
    """Confirm the actor's authenticator with a code from it: store the device, issue new
    recovery codes and return them (shown once, stored hashed)."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    step = _totp_step(key_hex, code)
    if step is None:
        raise DomainError("验证码不正确，请核对验证器应用中的6位数字后重试。", field="code")
    TOTPDevice.objects.filter(user=user).delete()
    # The code just used is spent: `last_t` refuses it (and older ones) at the next login.
    TOTPDevice.objects.create(user=user, name="验证器", key=key_hex, confirmed=True, last_t=step)
    codes = _issue_recovery_codes(user)
    record_event(
        actor=user, action="auth.mfa_enrolled", obj=user, after={"recovery_codes": len(codes)}
    )
    return codes


@transaction.atomic(durable=True)
def regenerate_recovery_codes(*, actor: User) -> list[str]:
    """Replace the actor's recovery codes (the old ones stop working); return the new ones."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    if confirmed_device(user) is None:
        raise DomainError("请先启用两步验证。")
    codes = _issue_recovery_codes(user)
    record_event(actor=user, action="auth.recovery_codes_issued", obj=user)
    return codes


def mfa_locked(device: TOTPDevice) -> bool:
    """Return True while the second factor is locked after too many failures."""
    failed_at = device.throttling_failure_timestamp
    return (
        device.throttling_failure_count >= settings.AXES_FAILURE_LIMIT
        and failed_at is not None
        and failed_at + settings.AXES_COOLOFF_TIME > timezone.now()
    )


def verify_second_factor(*, user: User, code: str) -> bool:
    """Check a TOTP code or an unused recovery code for `user` at login.

    Failures are counted on the device and audited; `AXES_FAILURE_LIMIT` of them lock the
    second factor for `AXES_COOLOFF_TIME` (like the password). A locked factor refuses even a
    right code, with the same words as a wrong one."""
    with transaction.atomic(durable=True):
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            return False
        if mfa_locked(device):
            record_event(
                actor=None,
                action="auth.mfa_lockout",
                obj=None,
                organisation=user.organisation,
                object_repr=user.username,
                actor_name=user.username,
                success=False,
            )
            return False
        if device.throttling_failure_count >= settings.AXES_FAILURE_LIMIT:
            device.throttle_reset(commit=False)  # the lock has expired: count afresh
        if device.verify_token("".join(ch for ch in code if ch.isdigit()) or "x"):
            return True
        recovery = (
            RecoveryCode.objects.select_for_update()
            .filter(user=user, used_at__isnull=True, code_hash=mfa_rules.hash_recovery_code(code))
            .first()
        )
        if recovery is not None and len(mfa_rules.normalise_code(code)) == 16:
            recovery.used_at = timezone.now()
            recovery.save(update_fields=["used_at"])
            device.throttle_reset()
            left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
            record_event(
                actor=user, action="auth.recovery_code_used", obj=user, after={"left": left}
            )
            return True
        locked = mfa_locked(device)
        record_event(
            actor=None,
            action="auth.mfa_lockout" if locked else "auth.mfa_failed",
            obj=None,
            organisation=user.organisation,
            object_repr=user.username,
            actor_name=user.username,
            success=False,
        )
        return False


@transaction.atomic(durable=True)
def set_mfa_required(*, actor: User, role: Role, required: bool) -> MfaRoleSetting:
    """Make the second factor compulsory or optional for a business role (安全管理员)."""
    require_role(actor, Role.SECADMIN)
    if int(role) not in mfa_rules.business_role_choices():
        raise DomainError("管理员角色始终须两步验证，不能修改。", field="role")
    setting, _ = MfaRoleSetting.objects.select_for_update().get_or_create(role=int(role))
    if setting.required != required:
        before = setting.required
        setting.required = required
        setting.save(update_fields=["required"])
        record_event(
            actor=actor,
            action="auth.mfa_policy",
            obj=setting,
            organisation=actor.organisation,
            before={"role": ROLE_LABELS[role], "required": before},
            after={"role": ROLE_LABELS[role], "required": required},
        )
    return setting
