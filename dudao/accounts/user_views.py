"""Account management pages: 系统管理员 creates and disables, 安全管理员 grants and unlocks."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from dudao.accounts import selectors, services
from dudao.accounts.forms import (
    ReasonForm,
    ResetPasswordForm,
    RolesForm,
    UserCreateForm,
    UserEditForm,
)
from dudao.core.exceptions import DomainError
from dudao.core.http import AuthedHttpRequest, add_domain_error, query_without_page
from dudao.core.listing import listing
from dudao.core.roles import (
    ADMIN_ROLES,
    BUSINESS_ROLES,
    ROLE_CODES,
    ROLE_LABELS,
    Role,
    role_code,
    roles_of,
)
from dudao.orgs.selectors import list_organisations

# The account list's sortable columns (URL key → ORM fields), for dudao.core.listing.
USER_SORTS: dict[str, tuple[str, ...]] = {
    "org": ("organisation__path", "username"),
    "username": ("username",),
    "name": ("full_name",),
    "last_login": ("-last_login",),
    "active": ("-is_active",),
}


def user_list(request: AuthedHttpRequest) -> HttpResponse:
    """Accounts in the user's scope, filterable by name, role, unit and state."""
    f = {k: request.GET.get(k, "").strip() for k in ("q", "role", "organisation", "active")}
    org_id = int(f["organisation"]) if f["organisation"].isdigit() else None
    qs = selectors.list_users(
        request.user, q=f["q"], role=f["role"], organisation=org_id, active=f["active"]
    )
    lst = listing(request, qs, USER_SORTS, default="org")
    context = {
        "page": lst.page,
        "list": lst,
        "f": f,
        "query": query_without_page(request),
        "roles": [(role_code(r), ROLE_LABELS[r]) for r in Role],
        "organisations": list_organisations(request.user),
        "can_create": request.user.has_role(Role.SYSADMIN),
    }
    template = "users/_table.html" if request.htmx else "users/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def user_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """One account (404 outside the scope) with the actions the viewer's role allows."""
    account = selectors.get_user(request.user, pk)
    return render(
        request,
        "users/detail.html",
        {
            "account": account,
            "is_sysadmin": request.user.has_role(Role.SYSADMIN),
            "is_secadmin": request.user.has_role(Role.SECADMIN),
            "roles_form": RolesForm(
                initial={"roles": [role_code(r) for r in roles_of(account.roles)]},
                auto_id="roles_%s",
            ),
            # Several forms share field names on this page: distinct id prefixes keep ids unique.
            "unlock_form": ReasonForm(auto_id="unlock_%s"),
            "active_form": ReasonForm(auto_id="active_%s"),
            "reset_form": ResetPasswordForm(auto_id="reset_%s"),
            "is_self": account.pk == request.user.pk,
        },
    )


@require_http_methods(["GET", "POST"])
def user_create(request: AuthedHttpRequest) -> HttpResponse:
    """Create an account (without roles: 安全管理员 grants them)."""
    form = UserCreateForm(request.POST or None, organisations=list_organisations(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            account = services.create_user(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已创建账户“{account.username}”，请安全管理员分配角色。")
            return redirect("users:detail", pk=account.pk)
    return render(request, "users/form.html", {"form": form, "title": "新建账户"})


@require_http_methods(["GET", "POST"])
def user_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Edit an account's profile."""
    account = selectors.get_user(request.user, pk)
    initial = {
        f: getattr(account, f)
        for f in ("full_name", "organisation", "title", "phone", "email", "version")
    }
    form = UserEditForm(
        request.POST or None, initial=initial, organisations=list_organisations(request.user)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.update_user(actor=request.user, user=account, version=version, **data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "账户信息已保存。")
            return redirect("users:detail", pk=account.pk)
    return render(request, "users/form.html", {"form": form, "title": f"编辑账户：{account}"})


def _done(request: AuthedHttpRequest, pk: int, error: DomainError | None, ok: str) -> HttpResponse:
    if error is not None:
        messages.error(request, error.message)
    else:
        messages.success(request, ok)
    return redirect("users:detail", pk=pk)


@require_POST
def user_set_roles(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Grant roles (安全管理员)."""
    account = selectors.get_user(request.user, pk)
    form = RolesForm(request.POST)
    if not form.is_valid():
        return _done(request, pk, DomainError("请选择角色并填写授权依据。"), "")
    try:
        services.set_user_roles(
            actor=request.user,
            user=account,
            roles=[ROLE_CODES[c] for c in form.cleaned_data["roles"]],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as exc:
        return _done(request, pk, exc, "")
    return _done(request, pk, None, "角色已更新。")


@require_POST
def user_set_active(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Enable or disable an account (系统管理员)."""
    account = selectors.get_user(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _done(request, pk, DomainError("请填写原因。"), "")
    active = request.POST.get("active") == "1"
    try:
        services.set_user_active(
            actor=request.user, user=account, active=active, reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        return _done(request, pk, exc, "")
    return _done(request, pk, None, "账户已启用。" if active else "账户已停用，其会话已全部结束。")


@require_POST
def user_unlock(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Clear a login lock (安全管理员)."""
    account = selectors.get_user(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _done(request, pk, DomainError("请填写原因。"), "")
    services.unlock_account(actor=request.user, user=account, reason=form.cleaned_data["reason"])
    return _done(request, pk, None, "已解除登录锁定。")


@require_POST
def user_reset_password(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Set a temporary password (安全管理员)."""
    account = selectors.get_user(request.user, pk)
    form = ResetPasswordForm(request.POST)
    if not form.is_valid():
        return _done(request, pk, DomainError("请填写临时密码和原因。"), "")
    two_person = account.admin_role is not None and account.pk != request.user.pk
    try:
        if two_person:
            services.request_password_reset(
                actor=request.user,
                user=account,
                new_password=form.cleaned_data["new_password"],
                reason=form.cleaned_data["reason"],
            )
        else:
            services.reset_password(
                actor=request.user,
                user=account,
                new_password=form.cleaned_data["new_password"],
                reason=form.cleaned_data["reason"],
            )
    except DomainError as exc:
        return _done(request, pk, exc, "")
    if two_person:
        return _done(
            request, pk, None, "已提交重置申请：须另一名管理员在“密码重置审批”中批准后生效。"
        )
    return _done(request, pk, None, "临时密码已设置，用户下次登录须修改；其 API 令牌已吊销。")


def reset_requests(request: AuthedHttpRequest) -> HttpResponse:
    """Pending resets of administrators' passwords, for the second administrator to approve."""
    return render(
        request,
        "users/reset_requests.html",
        {"requests": selectors.list_pending_reset_requests(request.user)},
    )


@require_POST
def approve_reset(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Approve a pending reset (another of the three administrators)."""
    reset = selectors.get_pending_reset_request(request.user, pk)
    try:
        user = services.approve_password_reset(actor=request.user, request=reset)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已批准：{user} 的临时密码已生效，下次登录须修改。")
    return redirect("users:reset_requests")


@require_http_methods(["GET", "POST"])
def mfa_policy(request: AuthedHttpRequest) -> HttpResponse:
    """Which business roles must use the second factor (安全管理员; administrators always)."""
    if request.method == "POST":
        wanted = set(request.POST.getlist("required"))
        try:
            for role in BUSINESS_ROLES:
                services.set_mfa_required(
                    actor=request.user, role=role, required=role_code(role) in wanted
                )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "两步验证设置已保存。")
        return redirect("users:mfa_policy")
    required = services.required_mfa_roles()
    return render(
        request,
        "users/mfa_policy.html",
        {
            "roles": [
                (role_code(r), ROLE_LABELS[r], bool(required & int(r))) for r in BUSINESS_ROLES
            ],
            "admin_roles": [ROLE_LABELS[r] for r in ADMIN_ROLES],
        },
    )
