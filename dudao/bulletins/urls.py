"""Pages of 督查通报. Every name needs an entry in policy.py."""

from __future__ import annotations

from django.urls import URLPattern, path

from dudao.bulletins import views

app_name = "bulletins"

urlpatterns: list[URLPattern] = [
    path("", views.bulletin_list, name="list"),
    path("new/", views.bulletin_create, name="create"),
    path("<int:pk>/", views.bulletin_detail, name="detail"),
    path("<int:pk>/paragraph/", views.edit_paragraph, name="edit_paragraph"),
    path("<int:pk>/figure/", views.override_figure, name="override"),
    path("<int:pk>/transition/", views.transition, name="transition"),
    path("<int:pk>/docx/", views.download_docx, name="docx"),
    path("<int:pk>/pdf/", views.download_pdf, name="pdf"),
]
