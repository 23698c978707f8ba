"""Pages of 产业集聚区. Every name needs an entry in policy.py."""

from __future__ import annotations

from django.urls import URLPattern, path

from dudao.core import import_views
from dudao.parks import views

app_name = "parks"

urlpatterns: list[URLPattern] = [
    path("", views.park_list, name="list"),
    path("<int:pk>/", views.park_detail, name="detail"),
    path("import/", import_views.upload, {"kind": "parks"}, name="import"),
    path("import/template/", import_views.template, {"kind": "parks"}, name="import_template"),
]
