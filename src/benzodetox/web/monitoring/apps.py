from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MonitoringConfig(AppConfig):
    name = "benzodetox.web.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring"

    def ready(self) -> None:
        from . import signals
        from .tally import ensure_count_triggers

        signals.connect()
        post_migrate.connect(
            ensure_count_triggers, sender=self, dispatch_uid="benzodetox_count_triggers"
        )
