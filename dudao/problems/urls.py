"""Pages of 问题台账. Every name needs an entry in policy.py."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "problems"

urlpatterns: list[URLPattern] = []
