"""Pages of 观摩督导. Every name needs an entry in policy.py."""

from __future__ import annotations

from django.urls import URLPattern, path

from dudao.core import import_views
from dudao.inspections import views, views_plan
from dudao.inspections.importers import KIND as PROVINCIAL_KIND

app_name = "inspections"

urlpatterns: list[URLPattern] = [
    path("", views.tour_list, name="list"),
    path("new/", views.tour_create, name="create"),
    path("provincial/", views.provincial, name="provincial"),
    path(
        "provincial/import/",
        import_views.upload,
        {"kind": PROVINCIAL_KIND},
        name="provincial_import",
    ),
    path(
        "provincial/import/template/",
        import_views.template,
        {"kind": PROVINCIAL_KIND},
        name="provincial_import_template",
    ),
    path("judge/", views.judge_home, name="judge_home"),
    path("sheets/", views.sheets, name="sheets"),
    path("sheets/<int:pk>/edit/", views.sheet_edit, name="sheet_edit"),
    path("<int:pk>/", views.tour_detail, name="detail"),
    path("<int:pk>/plan/", views.tour_plan_add, name="plan_add"),
    path("<int:pk>/edit/", views_plan.tour_edit, name="edit"),
    path("<int:pk>/cancel/", views_plan.tour_cancel, name="cancel"),
    path("<int:pk>/projects/", views_plan.site_search, name="site_search"),
    path("<int:pk>/plan/import/", views_plan.plan_import, name="plan_import"),
    path("<int:pk>/plan/template.xlsx", views_plan.plan_template_download, name="plan_template"),
    path("<int:pk>/transition/", views.tour_transition, name="transition"),
    path("<int:pk>/schedule/", views.tour_schedule, name="schedule"),
    path("<int:pk>/progress/", views.tour_progress, name="progress"),
    path("<int:pk>/results/", views.tour_results, name="results"),
    path("<int:pk>/summary/", views.tour_summary, name="summary"),
    path("<int:pk>/summary.xlsx", views.tour_export, name="export"),
    path("<int:pk>/findings/", views.tour_findings, name="findings"),
    path("<int:pk>/vote/", views.tour_vote, name="vote"),
    path("findings/<int:pk>/decide/", views.finding_decide, name="finding_decide"),
    path("sites/<int:site_pk>/score/", views.score_site, name="score"),
    path("sites/<int:site_pk>/photo/", views.score_photo, name="photo"),
    path("sites/<int:site_pk>/finding/", views.site_finding, name="site_finding"),
    path("cards/<int:pk>/photo/", views.card_photo, name="card_photo"),
]
