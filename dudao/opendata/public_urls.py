"""The public URLs, mounted at /open/ (dudao/urls.py) under the namespace `open`: every name
is public in dudao/opendata/policy.py."""

from django.urls import URLPattern, URLResolver, path

from dudao.opendata import public_views as views

app_name = "open"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("projects/<int:pk>/", views.project, name="project"),
    path("projects/<int:pk>/photos/<int:photo_id>.jpg", views.photo, name="photo"),
    path("about/", views.about, name="about"),
    path("oc4ids/projects.json", views.oc4ids_package, name="oc4ids"),
    path("downloads/projects.csv", views.download_csv, name="csv"),
    path("downloads/projects.xlsx", views.download_xlsx, name="xlsx"),
]
