"""Pages of 督查督办. Every name needs an entry in policy.py."""

from __future__ import annotations

from django.urls import URLPattern, path

from dudao.core import import_views
from dudao.supervision import cascade_views, instructions, views
from dudao.supervision.importers import KIND as TASKS_KIND

app_name = "supervision"

urlpatterns: list[URLPattern] = [
    path("", views.my_tasks, name="my_tasks"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/new/", views.task_create, name="task_create"),
    path("tasks/cascade/", cascade_views.task_cascade, name="task_cascade"),
    path("tasks/export/", views.task_export, name="task_export"),
    path("tasks/import/", import_views.upload, {"kind": TASKS_KIND}, name="task_import"),
    path(
        "tasks/import/template/",
        import_views.template,
        {"kind": TASKS_KIND},
        name="task_import_template",
    ),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/issue/", views.task_issue, name="task_issue"),
    path("tasks/<int:pk>/feedback/", views.task_feedback, name="task_feedback"),
    path("tasks/<int:pk>/apply/", views.task_apply, name="task_apply"),
    path("tasks/<int:pk>/verify/", views.task_verify, name="task_verify"),
    path("tasks/<int:pk>/extension/", views.task_extension, name="task_extension"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
    path(
        "instructions/<slug:kind>/<int:pk>/",
        instructions.instruction_create,
        name="instruction_create",
    ),
    path("sources/", views.source_list, name="source_list"),
    path("sources/new/", views.source_create, name="source_create"),
    path("sources/<int:pk>/", views.source_detail, name="source_detail"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("overview/", views.overview, name="overview"),
    path("performance/", views.performance, name="performance"),
    path("rules/", views.rules, name="rules"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
]
