"""Pages of 年度目标. Every name needs an entry in policy.py."""

from __future__ import annotations

from django.urls import URLPattern, path

from dudao.targets import views

app_name = "targets"

urlpatterns: list[URLPattern] = [
    path("", views.set_list, name="set_list"),
    path("sets/<int:pk>/", views.set_detail, name="set_detail"),
    path("sets/<int:pk>/approve/", views.set_approve, name="set_approve"),
    path("standings/", views.standings, name="standings"),
    path("weak-links/", views.weak_links, name="weak_links"),
    path("import/", views.import_sheet, name="import"),
    path("rows/<int:pk>/edit/", views.row_edit, name="row_edit"),
    path("rows/<int:pk>/improve/", views.improve, name="improve"),
    path("settings/", views.settings_page, name="settings"),
    path("classes/", views.classes_page, name="classes"),
]
