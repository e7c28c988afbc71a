"""CDS Hooks services, mounted at ``/cds-services`` (no trailing slash): discovery at the mount
itself, each service at ``/cds-services/<id>``."""

from django.urls import URLPattern, URLResolver, path

from . import cds_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", cds_views.discovery, name="cds_discovery"),
    path("/<str:service_id>", cds_views.service, name="cds_service"),
]
