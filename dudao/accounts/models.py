"""Accounts: users bound to one organisation with a set of roles, and API tokens."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.db.models.lookups import Exact, In
from django.utils import timezone

from dudao.core.roles import (
    ADMIN_MASK,
    ADMIN_ROLES,
    ALL_MASK,
    BUSINESS_MASK,
    ENTERPRISE_MASK,
    Role,
    labels_of,
)
from dudao.core.scoping import ScopedQuerySet

if TYPE_CHECKING:
    from dudao.orgs.models import Organisation


class UserQuerySet(ScopedQuerySet["User"]):
    """Users, scoped by their organisation. Not business data: administrators see them."""

    scope_field = "organisation"
    business_data = False

    def with_role(self, role: Role) -> UserQuerySet:
        """Return users holding `role`."""
        return self.annotate(_bit=F("roles").bitand(int(role))).filter(_bit__gt=0)


class UserManager(BaseUserManager["User"]):
    """Loads the organisation with the user: every request needs it for the scope."""

    def get_queryset(self) -> UserQuerySet:
        return UserQuerySet(self.model, using=self._db).select_related("organisation")

    def visible_to(self, user: Any) -> UserQuerySet:
        return self.get_queryset().visible_to(user)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get_queryset().get(username__iexact=username)


def _role_constraint() -> Q:
    admin_bits = F("roles").bitand(ADMIN_MASK)
    only_known = Q(Exact(F("roles").bitand(~ALL_MASK & 0x7FFFFFFF), 0))
    no_admin = Q(Exact(admin_bits, 0))
    one_admin_only = Q(In(admin_bits, [int(r) for r in ADMIN_ROLES])) & Q(
        Exact(F("roles").bitand(BUSINESS_MASK), 0)
    )
    # The 企业 role stands alone (an enterprise's account holds nothing else).
    enterprise_alone = Q(Exact(F("roles").bitand(ENTERPRISE_MASK), 0)) | Q(roles=ENTERPRISE_MASK)
    return only_known & (no_admin | one_admin_only) & enterprise_alone


class User(AbstractBaseUser):
    """A person's account. It belongs to exactly one organisation.

    There is deliberately no `is_superuser` column: no account can bypass roles and scope
    (reliability.md §1.4, "no path grants everything").
    """

    username = models.CharField(
        "用户名",
        max_length=40,
        unique=True,
        help_text="字母、数字或 ._- ，3–40 个字符。",
    )
    full_name = models.CharField("姓名", max_length=40)
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="所属单位",
        on_delete=models.PROTECT,
        related_name="users",
    )
    roles = models.PositiveIntegerField("角色", default=0)
    title = models.CharField("职务", max_length=40, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    is_active = models.BooleanField("启用", default=True)
    date_joined = models.DateTimeField("创建时间", default=timezone.now)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)
    # Who set the current temporary password, when it was someone else (a reset): the next
    # login is flagged to the 审计管理员 and the field is cleared when the owner changes it.
    password_reset_by = models.ForeignKey(
        "self",
        verbose_name="密码重置人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField("版本", default=1)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        ordering = ["organisation__path", "username"]
        constraints = [
            models.UniqueConstraint(
                Lower("username"),
                name="user_username_ci_unique",
                violation_error_message="该用户名已被使用。",
            ),
            models.CheckConstraint(
                condition=_role_constraint(),
                name="user_roles_separation_of_duties",
                violation_error_message="角色组合不合规：三员分立，管理员角色不能兼任。",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "username"], name="user_org_username")]

    def __str__(self) -> str:
        return f"{self.full_name}（{self.username}）"

    # Compatibility with code that asks Django's questions; the answers are always "no".
    @property
    def is_superuser(self) -> bool:
        return False

    @property
    def is_staff(self) -> bool:
        return False

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return False

    def has_module_perms(self, app_label: str) -> bool:
        return False

    def has_role(self, *roles: Role) -> bool:
        """Return True when the account holds any of `roles`."""
        return any(self.roles & role for role in roles)

    @property
    def has_business_role(self) -> bool:
        return bool(self.roles & BUSINESS_MASK)

    @property
    def admin_role(self) -> Role | None:
        bits = self.roles & ADMIN_MASK
        return Role(bits) if bits else None

    @property
    def role_labels(self) -> list[str]:
        return labels_of(self.roles)

    @property
    def org(self) -> Organisation:
        return self.organisation


def hash_token(raw: str) -> str:
    """Return the SHA-256 hex digest stored for a token.

    Tokens carry 256 bits of randomness, so a fast hash is safe here (as GitHub does);
    a slow password hash would only slow every API call.
    """
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self, now: datetime | None = None) -> ApiTokenQuerySet:
        """Tokens neither revoked nor expired at `now` (default: this instant)."""
        now = timezone.now() if now is None else now
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A personal API token for machines. Stored hashed; acts with its owner's roles and scope."""

    PREFIX = "dd_"

    user = models.ForeignKey(
        User, verbose_name="所有者", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("名称", max_length=60)
    lookup = models.CharField("识别前缀", max_length=12, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    expires_at = models.DateTimeField("过期时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    objects: ClassVar[ApiTokenQuerySet] = ApiTokenQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name}（{self.PREFIX}{self.lookup}…）"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


class LoginSession(models.Model):
    """Which server-side session belongs to which user, so that disabling an account or
    changing its password can end all of its sessions (ASVS 5.0 V7.4.2)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = "登录会话"
        verbose_name_plural = "登录会话"

    def __str__(self) -> str:
        return f"{self.user_id}:{self.session_key[:6]}…"


class PasswordResetRequest(models.Model):
    """A reset of an administrator's password waiting for a second administrator (two-person
    rule): the requester sets the temporary password (stored hashed), another of the three
    administrators approves before it expires, and only then is it applied."""

    user = models.ForeignKey(
        User, verbose_name="账户", on_delete=models.CASCADE, related_name="reset_requests"
    )
    requested_by = models.ForeignKey(
        User, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    password = models.CharField(max_length=128)
    reason = models.CharField("原因", max_length=200)
    created_at = models.DateTimeField("申请时间", default=timezone.now)
    expires_at = models.DateTimeField("失效时间")
    approved_by = models.ForeignKey(
        User,
        verbose_name="批准人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)

    class Meta:
        verbose_name = "密码重置申请"
        verbose_name_plural = "密码重置申请"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"重置 {self.user.username} 的密码（申请人 {self.requested_by.username}）"

    @property
    def is_pending(self) -> bool:
        return self.approved_at is None and self.expires_at > timezone.now()


class MfaRoleSetting(models.Model):
    """Whether a business role must use the second factor (data, set by the 安全管理员).

    The three administrator roles always must (`dudao.accounts.mfa.mfa_required`); a row for
    them is ignored."""

    role = models.PositiveIntegerField("角色", unique=True)
    required = models.BooleanField("须两步验证", default=False)

    class Meta:
        verbose_name = "两步验证角色设置"
        verbose_name_plural = "两步验证角色设置"
        ordering = ["role"]

    def __str__(self) -> str:
        return f"{labels_of(self.role)}：{'必须' if self.required else '可选'}"


class RecoveryCode(models.Model):
    """A one-time recovery code for the second factor: shown once, stored as its SHA-256
    digest (the codes carry 80 random bits), usable once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "恢复码"
        verbose_name_plural = "恢复码"

    def __str__(self) -> str:
        return f"{self.user_id}:{'已用' if self.used_at else '未用'}"
