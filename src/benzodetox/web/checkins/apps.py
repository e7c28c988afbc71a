from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "benzodetox.web.checkins"
    label = "checkins"
    verbose_name = "Check-ins between visits"
