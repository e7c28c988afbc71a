from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "benzodetox.web.careplans"
    label = "careplans"
    verbose_name = "Care plans and aftercare"
