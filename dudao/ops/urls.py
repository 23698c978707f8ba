from django.urls import path

from dudao.ops import views

app_name = "ops"

urlpatterns = [
    path("", views.status, name="status"),
]
