"""CDS Hooks services: discovery at ``/cds-services`` (no trailing slash, as the specification
writes it) and each service at ``/cds-services/<id>``. The project's URLconf mounts this module
twice: the discovery pattern at ``cds-services`` and the services under ``cds-services/``."""

from django.urls import URLPattern, URLResolver, path

from . import cds_views

discovery_patterns: list[URLPattern | URLResolver] = [
    path("", cds_views.discovery, name="cds_discovery"),
]
urlpatterns: list[URLPattern | URLResolver] = [
    path("<str:service_id>", cds_views.service, name="cds_service"),
]
