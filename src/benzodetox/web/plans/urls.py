from django.urls import path

from . import pharmacology, views

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
]
