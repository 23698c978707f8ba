"""Login, logout, own password and own API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dudao.accounts import selectors, services
from dudao.accounts.forms import LoginForm, PasswordChangeForm, TokenCreateForm
from dudao.accounts.middleware import AUTH_AT, SEEN_AT
from dudao.core.exceptions import DomainError
from dudao.core.http import AuthedHttpRequest, add_domain_error

# The same words for an unknown user, a wrong password and a locked account: the page must
# not tell an attacker which usernames exist or which are locked (reliability.md §0 item 4).
LOGIN_FAILED = "用户名或密码错误。连续失败5次，账户将被锁定30分钟。"


def _render_login(request: HttpRequest, form: LoginForm, *, failed: bool) -> HttpResponse:
    return render(
        request, "accounts/login.html", {"form": form, "error": LOGIN_FAILED if failed else ""}
    )


def login_view(request: HttpRequest) -> HttpResponse:
    """Show the login form; on POST authenticate, audit and rotate the session."""
    if request.user.is_authenticated and request.method == "GET":
        return redirect("home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].strip()
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is not None and getattr(request, "axes_locked_out", False) is False:
            login(request, user)  # rotates the session key (ASVS 5.0 V7.2.4)
            now = timezone.now().timestamp()
            request.session[AUTH_AT] = now
            request.session[SEEN_AT] = now
            services.record_login(
                user=user,
                session_key=request.session.session_key,
                ip=request.META.get("REMOTE_ADDR"),
            )
            target = request.POST.get("next") or request.GET.get("next") or ""
            if not url_has_allowed_host_and_scheme(
                target, {request.get_host()}, require_https=request.is_secure()
            ):
                target = ""
            return redirect(target or "home")
        if not getattr(request, "axes_locked_out", False):
            services.record_login_failure(username=username, locked=False)
        return _render_login(request, form, failed=True)
    return _render_login(request, form, failed=False)


def lockout_username(request: HttpRequest, credentials: Any = None) -> str:
    """django-axes calls this for the username to count a failure under (see settings)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return services.lockout_key(str(username))


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """django-axes calls this for a locked account: same page, same words as any failure."""
    username = str((credentials or {}).get("username") or request.POST.get("username", ""))
    services.record_login_failure(username=username.strip(), locked=True)
    return _render_login(request, LoginForm(request.POST or None), failed=True)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """End the session (the server-side row is deleted)."""
    if request.user.is_authenticated:
        user = request.user
        logout(request)
        services.record_logout(user=user)
    messages.info(request, "您已安全退出。")
    return redirect("login")


def password_change(request: AuthedHttpRequest) -> HttpResponse:
    """Change one's own password (required after an administrator set it)."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.change_own_password(
                actor=request.user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, "密码已修改。")
            return redirect("home")
    return render(request, "accounts/password.html", {"form": form})


def token_list(request: AuthedHttpRequest) -> HttpResponse:
    """List one's own API tokens and create a new one (its secret is shown once)."""
    form = TokenCreateForm(request.POST or None)
    new_secret = ""
    if request.method == "POST" and form.is_valid():
        expires = form.cleaned_data.get("expires_at")
        expires_at = (
            timezone.make_aware(dt.datetime.combine(expires, dt.time.max)) if expires else None
        )
        try:
            _token, new_secret = services.create_api_token(
                actor=request.user, name=form.cleaned_data["name"], expires_at=expires_at
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            form = TokenCreateForm()
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "tokens": selectors.list_own_tokens(request.user),
            "new_secret": new_secret,
        },
    )


@require_POST
def token_revoke(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Revoke one of one's own tokens."""
    token = selectors.get_own_token(request.user, pk)
    services.revoke_api_token(actor=request.user, token=token)
    messages.success(request, f"令牌“{token.name}”已吊销。")
    return redirect("token_list")
