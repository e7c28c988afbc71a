"""The patient's check-in pages under /portal/ (inside the "portal" namespace): the dose
diary, check-ins one question a screen, and "this step is too hard"."""

from django.urls import URLPattern, URLResolver, path

from . import portal_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("diary/", views.diary, name="diary"),
    path("checkin/", views.checkin, name="checkin"),
    path("checkin/<int:checkin_id>/", views.checkin_result, name="checkin_result"),
    path(
        "checkin/<int:checkin_id>/question/<int:number>/",
        views.checkin_question,
        name="checkin_question",
    ),
    path("checkin/<int:checkin_id>/finish/", views.checkin_finish, name="checkin_finish"),
    path("request/", views.step_request, name="request"),
]
