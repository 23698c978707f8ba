"""Pages of 企业服务与亩均效益. Every name needs an entry in policy.py."""

from __future__ import annotations

from django.urls import URLPattern, path

from dudao.enterprises import views

app_name = "enterprises"

urlpatterns: list[URLPattern] = [
    path("", views.enterprise_list, name="list"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("grades/", views.grade_list, name="grades"),
    path("grades/export/", views.grade_export, name="grades_export"),
]
