from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "benzodetox.web.plans"
    label = "plans"
    verbose_name = "Taper plans"
