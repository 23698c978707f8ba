"""Pages of 重大项目. Every name needs an entry in policy.py."""

from __future__ import annotations

from django.urls import URLPattern, path

from dudao.core import import_views
from dudao.projects import views

app_name = "projects"

urlpatterns: list[URLPattern] = [
    path("", views.project_list, name="list"),
    path("export/", views.project_export, name="export"),
    path("new/", views.project_create, name="create"),
    path("import/", import_views.upload, {"kind": "projects"}, name="registry_import"),
    path(
        "import/template/",
        import_views.template,
        {"kind": "projects"},
        name="registry_import_template",
    ),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/plan/", views.plan_edit, name="plan"),
    path("grid/", views.report_grid, name="grid"),
    path("grid/<int:pk>/", views.grid_row, name="grid_row"),
    path("grid/submit/", views.grid_submit_all, name="grid_submit_all"),
    path("grid/template/", views.report_template, name="template"),
    path("grid/upload/", views.report_upload, name="upload"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/action/", views.report_action, name="report_action"),
    path("reports/<int:pk>/photos/", views.photo_upload, name="photo_upload"),
    path("photos/<int:pk>/", views.photo_file, name="photo"),
    path("due/", views.due, name="due"),
    path("due/approve/", views.review_bulk, name="review_bulk"),
    path("analysis/", views.analysis, name="analysis"),
    path("counties/<int:pk>/", views.county_overview, name="county"),
    path("locks/", views.locks, name="locks"),
    path("locks/<int:pk>/unlock/", views.unlock, name="unlock"),
    path("targets/", views.targets, name="targets"),
    path("settings/", views.settings_edit, name="settings"),
]
