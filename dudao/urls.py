"""URL map. Every name here must have an entry in dudao.policy.POLICY."""

from __future__ import annotations

from django.conf import settings
from django.urls import include, path

from dudao.accounts import user_views
from dudao.accounts import views as account_views
from dudao.api import api
from dudao.audit import views as audit_views
from dudao.cockpit import views as cockpit_views
from dudao.opendata.public_api import open_api
from dudao.ops import views as ops_views
from dudao.orgs import views as org_views

org_patterns = (
    [
        path("", org_views.organisation_list, name="list"),
        path("new/", org_views.organisation_create, name="create"),
        path("<int:pk>/", org_views.organisation_detail, name="detail"),
        path("<int:pk>/edit/", org_views.organisation_edit, name="edit"),
    ],
    "orgs",
)

user_patterns = (
    [
        path("", user_views.user_list, name="list"),
        path("new/", user_views.user_create, name="create"),
        path("<int:pk>/", user_views.user_detail, name="detail"),
        path("<int:pk>/edit/", user_views.user_edit, name="edit"),
        path("<int:pk>/roles/", user_views.user_set_roles, name="set_roles"),
        path("<int:pk>/active/", user_views.user_set_active, name="set_active"),
        path("<int:pk>/unlock/", user_views.user_unlock, name="unlock"),
        path("<int:pk>/reset-password/", user_views.user_reset_password, name="reset_password"),
        path("reset-requests/", user_views.reset_requests, name="reset_requests"),
        path("mfa-policy/", user_views.mfa_policy, name="mfa_policy"),
        path("reset-requests/<int:pk>/approve/", user_views.approve_reset, name="approve_reset"),
    ],
    "users",
)

audit_patterns = (
    [
        path("", audit_views.event_list, name="list"),
        path("<int:pk>/", audit_views.event_detail, name="detail"),
    ],
    "audit",
)

urlpatterns = [
    # `/`: each role lands on its own work; a leader on the cockpit (dudao.cockpit.views).
    path("", cockpit_views.home, name="home"),
    path("account/", org_views.home, name="account"),
    path("login/", account_views.login_view, name="login"),
    path("login/verify/", account_views.login_mfa, name="login_mfa"),
    path("login/enrol/", account_views.login_mfa_enrol, name="login_mfa_enrol"),
    path("logout/", account_views.logout_view, name="logout"),
    path("account/mfa/", account_views.mfa_settings, name="mfa_settings"),
    path("account/password/", account_views.password_change, name="password_change"),
    path("account/tokens/", account_views.token_list, name="token_list"),
    path("account/tokens/<int:pk>/revoke/", account_views.token_revoke, name="token_revoke"),
    path("orgs/", include(org_patterns)),
    path("users/", include(user_patterns)),
    path("audit/", include(audit_patterns)),
    path("api/v1/", api.urls),
    # Operations: the load balancer's probes (no login) and the 运行状态 page.
    path("healthz", ops_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("ops/", include("dudao.ops.urls")),
    # The public disclosure site and its API (dudao/opendata): no login, read-only.
    path("open/api/", open_api.urls),
    path("open/", include("dudao.opendata.public_urls")),
    # Business modules, each mounted at /<label>/ with its own namespace.
    *(path(f"{app}/", include(f"dudao.{app}.urls")) for app in settings.DOMAIN_APPS),
]

handler400 = "dudao.core.views.bad_request"
handler403 = "dudao.core.views.permission_denied"
handler404 = "dudao.core.views.not_found"
handler500 = "dudao.core.views.server_error"
