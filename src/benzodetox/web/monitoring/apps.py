from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "benzodetox.web.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring"

    def ready(self) -> None:
        from . import signals

        signals.connect()
