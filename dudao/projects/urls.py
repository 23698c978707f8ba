"""Pages of 重大项目. Every name needs an entry in policy.py."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "projects"

urlpatterns: list[URLPattern] = []
