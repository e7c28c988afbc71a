"""The FHIR regimen import pages, mounted under ``patients/`` (web/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from . import fhir_import

app_name = "fhir_import"
urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:pk>/regimen/import-fhir/", fhir_import.regimen_import, name="regimen"),
]
