from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "dudao.projects"
    label = "projects"
    verbose_name = "重大项目"
