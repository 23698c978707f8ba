"""Login, logout, own password and own API tokens."""

from __future__ import annotations

import base64
import datetime as dt
import time
from typing import Any
from urllib.parse import quote

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import (
    authenticate,
    get_user_model,
    login,
    logout,
    update_session_auth_hash,
)
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from dudao.accounts import selectors, services
from dudao.accounts.forms import LoginForm, MfaCodeForm, PasswordChangeForm, TokenCreateForm
from dudao.accounts.hashers import login_slot
from dudao.accounts.middleware import AUTH_AT, SEEN_AT
from dudao.core.exceptions import DomainError
from dudao.core.http import AuthedHttpRequest, add_domain_error

# The same words for an unknown user, a wrong password and a locked account: the page must
# not tell an attacker which usernames exist or which are locked (reliability.md §0 item 4).
LOGIN_FAILED = "用户名或密码错误。连续失败5次，账户将被锁定30分钟。"
# Every login slot of this process is taken (the deadline crowd): the password is not checked,
# so this is no failed attempt; the user clicks 登录 again a few seconds later.
LOGIN_BUSY = "登录的人较多，请等几秒后再点“登录”。"
LOGIN_BUSY_RETRY_SECONDS = 5


def _render_login(
    request: HttpRequest, form: LoginForm, *, failed: bool, busy: bool = False
) -> HttpResponse:
    error = LOGIN_BUSY if busy else LOGIN_FAILED if failed else ""
    response = render(request, "accounts/login.html", {"form": form, "error": error})
    if busy:
        response.status_code = 503
        response["Retry-After"] = str(LOGIN_BUSY_RETRY_SECONDS)
    return response


# Between the password and the second factor the session holds only these (not a login).
MFA_USER = "_dudao_mfa_user"
MFA_SINCE = "_dudao_mfa_since"
MFA_NEXT = "_dudao_mfa_next"
MFA_KEY = "_dudao_mfa_key"  # the secret of an authenticator being enrolled


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    return target


def _complete_login(request: HttpRequest, user: Any, target: str) -> HttpResponse:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    now = timezone.now().timestamp()
    request.session[AUTH_AT] = now
    request.session[SEEN_AT] = now
    services.record_login(
        user=user, session_key=request.session.session_key, ip=request.META.get("REMOTE_ADDR")
    )
    return redirect(target or "home")


def login_view(request: HttpRequest) -> HttpResponse:
    """Show the login form; on POST authenticate, audit and rotate the session. An account
    that needs a second factor goes on to `login_mfa` (or `login_mfa_enrol`) first."""
    if request.user.is_authenticated and request.method == "GET":
        return redirect("home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return _login_post(request, form)
    return _render_login(request, form, failed=False)


def _login_post(request: HttpRequest, form: LoginForm) -> HttpResponse:
    username = form.cleaned_data["username"].strip()
    with login_slot() as admitted:
        if not admitted:
            return _render_login(request, form, failed=False, busy=True)
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
    if user is not None and getattr(request, "axes_locked_out", False) is False:
        if services.needs_mfa(user):
            request.session.cycle_key()
            request.session[MFA_USER] = user.pk
            request.session[MFA_SINCE] = time.time()
            request.session[MFA_NEXT] = _safe_next(request)
            request.session.pop(MFA_KEY, None)
            if services.confirmed_device(user) is None:
                return redirect("login_mfa_enrol")
            return redirect("login_mfa")
        return _complete_login(request, user, _safe_next(request))
    if not getattr(request, "axes_locked_out", False):
        services.record_login_failure(username=username, locked=False)
    return _render_login(request, form, failed=True)


def _pending_user(request: HttpRequest) -> Any:
    """Return the account whose password was just checked, or None (none, or too long ago)."""
    pk = request.session.get(MFA_USER)
    since = request.session.get(MFA_SINCE, 0)
    if pk is None or time.time() - since > settings.DUDAO_MFA_PENDING.total_seconds():
        return None
    return get_user_model().objects.filter(pk=pk, is_active=True).first()


def _finish_mfa(request: HttpRequest, user: Any) -> HttpResponse:
    target = request.session.get(MFA_NEXT, "")
    for key in (MFA_USER, MFA_SINCE, MFA_NEXT, MFA_KEY):
        request.session.pop(key, None)
    return _complete_login(request, user, target)


def login_mfa(request: HttpRequest) -> HttpResponse:
    """The second step of a login: a code from the authenticator, or a recovery code."""
    user = _pending_user(request)
    if user is None:
        messages.info(request, "请重新输入用户名和密码。")
        return redirect("login")
    if services.confirmed_device(user) is None:
        return redirect("login_mfa_enrol")
    form = MfaCodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        if services.verify_second_factor(user=user, code=form.cleaned_data["code"]):
            return _finish_mfa(request, user)
        error = services.MFA_FAILED
    return render(request, "accounts/mfa_verify.html", {"form": form, "error": error})


def _qr_svg(user: Any, key_hex: str) -> tuple[str, str]:
    """Return the enrolment QR code as inline SVG (no image request, no CDN) and the key in
    base32 for typing it in by hand."""
    secret = base64.b32encode(bytes.fromhex(key_hex)).decode().rstrip("=")
    issuer = quote(settings.OTP_TOTP_ISSUER)
    uri = (
        f"otpauth://totp/{issuer}:{quote(user.username)}"
        f"?secret={secret}&issuer={issuer}&algorithm=SHA1&digits=6&period=30"
    )
    svg = segno.make(uri, error="m").svg_inline(scale=4, title="两步验证二维码")
    return svg, " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _enrol(request: HttpRequest, user: Any) -> tuple[HttpResponse | None, list[str]]:
    """Show the enrolment page, or confirm the authenticator with its first code: then
    return no page and the new recovery codes."""
    key = request.session.get(MFA_KEY)
    if not key:
        key = services.new_totp_key()
        request.session[MFA_KEY] = key
    form = MfaCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.enrol_totp(actor=user, key_hex=key, code=form.cleaned_data["code"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            request.session.pop(MFA_KEY, None)
            return None, codes
    svg, secret = _qr_svg(user, key)
    page = render(
        request,
        "accounts/mfa_enrol.html",
        {"form": form, "qr_svg": mark_safe(svg), "secret": secret},
    )
    return page, []


def _codes_page(request: HttpRequest, codes: list[str]) -> HttpResponse:
    response = render(request, "accounts/mfa_codes.html", {"codes": codes})
    response["Cache-Control"] = "no-store"
    return response


def login_mfa_enrol(request: HttpRequest) -> HttpResponse:
    """First login of an account that must use a second factor: enrol the authenticator;
    its first code completes the login, then the recovery codes are shown once."""
    user = _pending_user(request)
    if user is None:
        messages.info(request, "请重新输入用户名和密码。")
        return redirect("login")
    if services.confirmed_device(user) is not None:
        return redirect("login_mfa")
    page, codes = _enrol(request, user)
    if page is not None:
        return page
    _finish_mfa(request, user)
    return _codes_page(request, codes)


def mfa_settings(request: AuthedHttpRequest) -> HttpResponse:
    """One's own second factor: its state, enrolment, new recovery codes."""
    device = services.confirmed_device(request.user)
    if request.method == "POST" and device is not None:
        return _codes_page(request, services.regenerate_recovery_codes(actor=request.user))
    if device is None and (request.GET.get("enrol") or request.method == "POST"):
        page, codes = _enrol(request, request.user)
        return page if page is not None else _codes_page(request, codes)
    return render(
        request,
        "accounts/mfa_settings.html",
        {
            "device": device,
            "required": services.needs_mfa(request.user),
            "codes_left": selectors.unused_recovery_codes(request.user),
        },
    )


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
