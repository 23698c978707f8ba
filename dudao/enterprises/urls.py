"""Pages of 企业服务与亩均效益. Every name needs an entry in policy.py."""

from __future__ import annotations

from django.urls import URLPattern, path

from dudao.enterprises import service_views, views

app_name = "enterprises"

urlpatterns: list[URLPattern] = [
    path("", views.enterprise_list, name="list"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("grades/", views.grade_list, name="grades"),
    path("grades/export/", views.grade_export, name="grades_export"),
    path("mine/", service_views.mine, name="mine"),
    path("<int:pk>/visit/", service_views.visit_new, name="visit_new"),
    path("<int:pk>/demand/", service_views.demand_new, name="demand_new"),
    path("demands/inbox/", service_views.inbox, name="inbox"),
    path("demands/<int:pk>/", service_views.demand_detail, name="demand_detail"),
    path("demands/league/", service_views.league, name="league"),
    path("portal/", service_views.portal, name="portal"),
    path("demands/sla/", service_views.sla_rules, name="sla"),
    path("<int:pk>/assign/", service_views.assign, name="assign"),
    path("<int:pk>/liaison/end/", service_views.end_liaison, name="end_liaison"),
    path("<int:pk>/account/", service_views.bind_account, name="bind_account"),
    path("visit-photos/<int:pk>/", service_views.visit_photo, name="visit_photo"),
]
