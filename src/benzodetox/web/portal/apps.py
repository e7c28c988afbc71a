from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "benzodetox.web.portal"
    label = "portal"
    verbose_name = "Patient portal"
