"""Pages of 督查督办. Every name needs an entry in policy.py."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "supervision"

urlpatterns: list[URLPattern] = []
