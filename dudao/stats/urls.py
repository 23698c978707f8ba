"""Pages of 统计指标. Every name needs an entry in policy.py."""

from __future__ import annotations

from django.urls import URLPattern, path

from dudao.stats import views

app_name = "stats"

urlpatterns: list[URLPattern] = [
    path("summary/", views.summary, name="summary"),
    path("entry/", views.entry, name="entry"),
    path("entry/transition/", views.transition, name="transition"),
    path("entry/export/", views.grid_export, name="grid_export"),
    path("entry/import/", views.grid_import, name="grid_import"),
    path("settings/", views.settings_edit, name="settings"),
    path("review/", views.review, name="review"),
]
