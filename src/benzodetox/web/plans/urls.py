from django.urls import path

from . import documents, pharmacology, views

app_name = "plans"
urlpatterns = [
    path("plans-policy/", views.policy, name="policy"),
    path("<int:pk>/plans/new/", views.builder, name="builder"),
    path("<int:pk>/plans/preview/", views.preview, name="preview"),
    path(
        "<int:pk>/plans/preview/pharmacology/",
        pharmacology.preview_pharmacology,
        name="preview_pharmacology",
    ),
    path("<int:pk>/plans/<int:number>/", views.detail, name="detail"),
    path("<int:pk>/plans/<int:number>/print/", views.print_view, name="print"),
    path("<int:pk>/plans/<int:number>/approve/", views.approve, name="approve"),
    path(
        "<int:pk>/plans/<int:number>/pharmacology/", pharmacology.pharmacology, name="pharmacology"
    ),
    # the documents of an approved version
    path("<int:pk>/plans/<int:number>/handout.pdf", documents.handout_pdf, name="handout_pdf"),
    path(
        "<int:pk>/plans/<int:number>/pharmacy-order.pdf",
        documents.pharmacy_order_pdf,
        name="pharmacy_order_pdf",
    ),
    path(
        "<int:pk>/plans/<int:number>/pharmacy-order.csv",
        documents.pharmacy_order_csv,
        name="pharmacy_order_csv",
    ),
    path("<int:pk>/plans/<int:number>/calendar.ics", documents.calendar_ics, name="calendar_ics"),
]
