"""URLs of the clinician web application."""

from django.contrib import admin
from django.urls import include, path

from benzodetox.web.api import cds_urls
from benzodetox.web.calculator.views import front_door
from benzodetox.web.health import healthz

urlpatterns = [
    path("", front_door, name="front_door"),
    path("healthz", healthz, name="healthz"),
    path("calculator/", include("benzodetox.web.calculator.urls")),
    path("accounts/", include("benzodetox.web.accounts.urls")),
    path("patients/", include("benzodetox.web.patients.urls")),
    path("patients/", include("benzodetox.web.plans.urls")),
    path("patients/", include("benzodetox.web.monitoring.urls")),
    path("patients/", include("benzodetox.web.careplans.urls")),
    path("audit/", include("benzodetox.web.audit.urls")),
    path("programme/outcomes/", include("benzodetox.web.outcomes.urls")),
    path("patients/", include("benzodetox.web.checkins.urls")),
    path("patients/", include("benzodetox.web.api.import_urls")),
    path("programme/", include("benzodetox.web.programmes.urls")),
    path("portal/", include("benzodetox.web.portal.urls")),
    path("api/v1/", include("benzodetox.web.api.urls")),
    path("fhir/R4/", include("benzodetox.web.api.fhir_urls")),
    path("cds-services", include(cds_urls.discovery_patterns)),
    path("cds-services/", include(cds_urls.urlpatterns)),
    path("admin/", admin.site.urls),
]
