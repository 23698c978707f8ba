"""Pages of 统计指标. Every name needs an entry in policy.py."""

from __future__ import annotations

from django.urls import URLPattern, path

from dudao.core import import_views
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
    path(
        "catalogue/import/",
        import_views.upload,
        {"kind": "indicator_catalogue"},
        name="catalogue_import",
    ),
    path(
        "catalogue/import/template/",
        import_views.template,
        {"kind": "indicator_catalogue"},
        name="catalogue_import_template",
    ),
]
