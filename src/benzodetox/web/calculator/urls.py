from django.urls import path

from . import views

app_name = "calculator"
urlpatterns = [
    path("", views.page, name="page"),
    path("preview/", views.preview, name="preview"),
    path("print/", views.print_view, name="print"),
    path("handout.pdf", views.handout, name="handout"),
    path("plan.ics", views.calendar, name="ics"),
    path("pharmacy.csv", views.pharmacy_csv, name="csv"),
    path("plan.json", views.plan_json, name="json"),
]
