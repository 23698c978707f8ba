"""Pages of 产业集聚区. Every name needs an entry in policy.py."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "parks"

urlpatterns: list[URLPattern] = []
