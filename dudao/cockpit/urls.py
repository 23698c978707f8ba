from django.urls import path

from dudao.cockpit import views

app_name = "cockpit"

urlpatterns = [
    path("", views.cockpit_page, name="home"),
    path("wall/", views.wall, name="wall"),
    path("outline/<int:pk>.json", views.outline_json, name="outline"),
    path("layout/", views.layout, name="layout"),
    path("layout/outline/", views.outline_upload, name="outline_upload"),
    path("layout/outline/<int:pk>/retire/", views.outline_retire, name="outline_retire"),
]
