from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "benzodetox.web.outcomes"
    label = "outcomes"
    verbose_name = "Programme outcomes"
