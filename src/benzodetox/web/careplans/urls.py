"""URLs of the careplans app (included under ``patients/``; a plan version's documents are the
plans app's: ``plans.documents``)."""

from django.urls import path

from . import pharmacy_policy, return_to_use_views, views

app_name = "careplans"
urlpatterns = [
    path("<int:pk>/careplan/", views.overview, name="overview"),
    path("aftercare-policy/", views.aftercare_policy, name="aftercare_policy"),
    path("pharmacy-policy/", pharmacy_policy.pharmacy_policy, name="pharmacy_policy"),
    path("<int:pk>/careplan/courses/new/", views.course_new, name="course_new"),
    path("<int:pk>/careplan/courses/<int:course_id>/", views.course_detail, name="course"),
    path(
        "<int:pk>/careplan/courses/<int:course_id>/sessions/<int:number>/attendance/",
        views.attendance,
        name="attendance",
    ),
    path(
        "<int:pk>/careplan/courses/<int:course_id>/sessions/<int:number>/move/",
        views.move_session,
        name="move_session",
    ),
    path("<int:pk>/careplan/aftercare/", views.aftercare, name="aftercare"),
    path(
        "<int:pk>/careplan/aftercare/generate/", views.aftercare_generate, name="aftercare_generate"
    ),
    path("<int:pk>/careplan/aftercare/extend/", views.aftercare_extend, name="aftercare_extend"),
    path(
        "<int:pk>/careplan/aftercare/items/new/",
        views.aftercare_item_new,
        name="aftercare_item_new",
    ),
    path(
        "<int:pk>/careplan/aftercare/items/<int:item_id>/",
        views.aftercare_item,
        name="aftercare_item",
    ),
    path(
        "<int:pk>/careplan/aftercare/return-to-use/",
        return_to_use_views.record_view,
        name="return_to_use_new",
    ),
    path(
        "<int:pk>/careplan/aftercare/return-to-use/<int:report_id>/withdraw/",
        return_to_use_views.withdraw_view,
        name="return_to_use_withdraw",
    ),
    path("<int:pk>/careplan/relapse/", views.relapse, name="relapse"),
    path("<int:pk>/careplan/relapse/edit/", views.relapse_edit, name="relapse_edit"),
    path("<int:pk>/careplan/relapse/<int:number>/", views.relapse, name="relapse_version"),
    path("<int:pk>/careplan/medications/", views.medications, name="medications"),
]
