from django.urls import path

from . import views

app_name = "outcomes"
urlpatterns = [
    path("", views.page, name="page"),
    path("export.csv", views.export_csv, name="csv"),
    path("summary.pdf", views.summary_pdf, name="pdf"),
    path("settings/", views.settings_view, name="settings"),
]
