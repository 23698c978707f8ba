"""Pages of 产业集聚区. Every name needs an entry in policy.py."""

from __future__ import annotations

from django.urls import URLPattern, path

from dudao.parks import views

app_name = "parks"

urlpatterns: list[URLPattern] = [
    path("", views.park_list, name="list"),
    path("<int:pk>/", views.park_detail, name="detail"),
]
