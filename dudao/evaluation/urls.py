"""Pages of 省级考评. Every name needs an entry in policy.py."""

from __future__ import annotations

from django.urls import URLPattern, path

from dudao.evaluation import views

app_name = "evaluation"

urlpatterns: list[URLPattern] = [
    path("", views.comparison, name="comparison"),
    path("parks/", views.province_parks, name="parks"),
    path("regimes/", views.regime_list, name="regime_list"),
    path("regimes/new/", views.regime_create, name="regime_create"),
    path("regimes/<int:pk>/", views.regime_detail, name="regime_detail"),
    path("regimes/<int:pk>/edit/", views.regime_edit, name="regime_edit"),
    path("regimes/<int:pk>/config/", views.regime_config, name="regime_config"),
    path("regimes/<int:pk>/indicators/new/", views.indicator_create, name="indicator_create"),
    path("indicators/<int:pk>/edit/", views.indicator_edit, name="indicator_edit"),
    path("regimes/<int:pk>/<int:year>/", views.results, name="results"),
    path("regimes/<int:pk>/<int:year>/inputs/", views.inputs, name="inputs"),
    path("regimes/<int:pk>/<int:year>/inputs.xlsx", views.inputs_export, name="inputs_export"),
    path("regimes/<int:pk>/<int:year>/compute/", views.compute, name="compute"),
    path("regimes/<int:pk>/<int:year>/delete/", views.result_set_delete, name="result_set_delete"),
    path("results/<int:pk>/", views.result_detail, name="result_detail"),
    path("import/", views.import_file, name="import"),
    path("import/<slug:kind>/template.xlsx", views.import_template, name="import_template"),
]
