from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "benzodetox.web.programmes"
    label = "programmes"
    verbose_name = "Programmes and roles"
