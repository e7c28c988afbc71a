from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "benzodetox.web.patients"
    label = "patients"
    verbose_name = "Patients and intake"

    def ready(self) -> None:
        from . import signals

        signals.connect()
