from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "benzodetox.web.api"
    label = "api"
    verbose_name = "API and interoperability"
