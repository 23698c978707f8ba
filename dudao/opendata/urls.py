from django.urls import URLPattern, path

from dudao.opendata import views

app_name = "opendata"

urlpatterns: list[URLPattern] = [
    path("", views.publication_list, name="list"),
    path("publish/", views.publish_bulk, name="publish_bulk"),
    path("refresh/", views.refresh, name="refresh"),
    path("fields/", views.field_list, name="fields"),
    path("projects/<int:pk>/", views.publication_detail, name="detail"),
    path("projects/<int:pk>/publish/", views.publish_one, name="publish"),
    path("projects/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("projects/<int:pk>/photos/<int:photo_id>/", views.photo_clearance, name="photo_clearance"),
]
