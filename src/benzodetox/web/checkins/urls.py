"""Team-side pages of the check-ins (included under ``patients/``): the patients' requests
and the programme's check-in settings."""

from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "checkins"
urlpatterns: list[URLPattern | URLResolver] = [
    path("requests/", views.requests_list, name="requests"),
    path("requests/<int:request_id>/", views.request_detail, name="request"),
    path("checkin-settings/", views.settings_view, name="settings"),
]
