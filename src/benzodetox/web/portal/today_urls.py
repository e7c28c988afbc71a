"""The portal's own pages under /portal/ (the check-ins are in checkins/portal_urls.py)."""

from django.urls import URLPattern, URLResolver, path

from . import account_views, feed, my_plan, staff_views, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.today, name="today"),
    path("calendar/", views.calendar, name="calendar"),
    path("my-plan/", my_plan.my_plan, name="my_plan"),
    path("reminders/", my_plan.reminders, name="reminders"),
    path("feed/<str:token>.ics", feed.calendar_feed, name="feed"),
    path("login/", account_views.PortalLoginView.as_view(), name="login"),
    path("logout/", account_views.sign_out, name="logout"),
    path("welcome/<str:token>/", account_views.accept, name="accept"),
    path("staff/<int:pk>/invite/", staff_views.invite, name="staff_invite"),
    path("staff/<int:pk>/revoke/", staff_views.revoke, name="staff_revoke"),
]
