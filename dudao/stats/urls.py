"""Pages of 统计指标. Every name needs an entry in policy.py."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "stats"

urlpatterns: list[URLPattern] = []
