"""Pages of 观摩督导. Every name needs an entry in policy.py."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "inspections"

urlpatterns: list[URLPattern] = []
