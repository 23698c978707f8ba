"""Pages of 招商引资. Every name needs an entry in policy.py."""

from __future__ import annotations

from django.urls import URLPattern, path

from dudao.core import import_views
from dudao.investment import views

app_name = "investment"

urlpatterns: list[URLPattern] = [
    path("", views.board, name="board"),
    path("export/", views.export, name="export"),
    path("new/", views.create, name="create"),
    path("import/", import_views.upload, {"kind": "deals"}, name="deals_import"),
    path(
        "import/template/",
        import_views.template,
        {"kind": "deals"},
        name="deals_import_template",
    ),
    path("funds/import/", import_views.upload, {"kind": "funds"}, name="funds_import"),
    path(
        "funds/import/template/",
        import_views.template,
        {"kind": "funds"},
        name="funds_import_template",
    ),
    path("figures/", views.figures_page, name="figures"),
    path("standards/", views.standards, name="standards"),
    path("chains/", views.chains, name="chains"),
    path("batches/", views.batches, name="batches"),
    path("batches/<int:pk>/", views.batch, name="batch"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/transition/", views.transition, name="transition"),
    path("<int:pk>/override/", views.override, name="override"),
    path("<int:pk>/promote/", views.promote, name="promote"),
    path("<int:pk>/funds/", views.funds, name="funds"),
    path("<int:pk>/funds/<int:funding_pk>/verify/", views.funds_verify, name="funds_verify"),
    path("<int:pk>/send/", views.send, name="send"),
    path("<int:pk>/send-task/", views.send_task, name="send_task"),
]
