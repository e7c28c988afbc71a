from django.apps import AppConfig


class SchedulerConfig(AppConfig):
    name = "benzodetox.web.scheduler"
    label = "scheduler"
    verbose_name = "Scheduled work"
