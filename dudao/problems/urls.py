"""Pages of 问题台账. Every name needs an entry in policy.py."""

from __future__ import annotations

from django.urls import URLPattern, path

from dudao.problems import views

app_name = "problems"

urlpatterns: list[URLPattern] = [
    path("", views.problem_list, name="list"),
    path("export/", views.problem_export, name="export"),
    path("new/", views.problem_create, name="create"),
    path("stats/", views.problem_stats, name="stats"),
    path("import/", views.problem_import, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("categories/", views.category_list, name="categories"),
    path("<int:pk>/", views.problem_detail, name="detail"),
    path("<int:pk>/edit/", views.problem_edit, name="edit"),
    path("<int:pk>/transition/", views.problem_transition, name="transition"),
    path("<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.evidence_file, name="evidence_file"),
]
