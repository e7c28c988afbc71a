from django.urls import path

from . import views

app_name = "patients"
urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_create, name="create"),
    path("<int:pk>/", views.patient_detail, name="detail"),
    path("<int:pk>/edit/", views.patient_edit, name="edit"),
    path("<int:pk>/regimen/", views.regimen_edit, name="regimen"),
    path("<int:pk>/intake/", views.intake_edit, name="intake"),
    path("<int:pk>/intake/decision/", views.intake_decide, name="decide"),
    path("<int:pk>/phase/", views.phase_change, name="phase"),
    path("<int:pk>/history/", views.patient_history, name="history"),
]
