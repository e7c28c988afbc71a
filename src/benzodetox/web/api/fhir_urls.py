"""FHIR R4 endpoints, mounted at ``/fhir/R4/`` (web/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from . import fhir_views

app_name = "fhir"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", fhir_views.base, name="base"),
    path("Patient/<str:pk>", fhir_views.patient_read, name="patient"),
    path("Patient/<str:pk>/$everything", fhir_views.everything, name="everything"),
    path("Questionnaire/<slug:key>", fhir_views.questionnaire_read, name="questionnaire"),
]
