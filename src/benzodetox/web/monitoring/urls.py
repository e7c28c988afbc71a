"""URLs of the monitoring app (included under ``patients/``)."""

from django.urls import path

from . import dashboard, views

app_name = "monitoring"
urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("monitoring-settings/", views.settings_view, name="settings"),
    path("alerts/<int:alert_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<int:pk>/monitoring/", views.patient_monitoring, name="patient"),
    path("<int:pk>/monitoring/record/<str:kind>/", views.record_view, name="record"),
    path("<int:pk>/monitoring/score/<str:kind>/", views.score_preview, name="score"),
    path("<int:pk>/monitoring/entries/<int:entry_id>/", views.entry_detail, name="entry"),
    path("<int:pk>/monitoring/entries/<int:entry_id>/correct/", views.correct, name="correct"),
    path("<int:pk>/monitoring/advice/apply/", views.apply, name="apply"),
]
