"""The portal's own pages under /portal/ (the check-ins are in checkins/portal_urls.py)."""

from django.urls import URLPattern, URLResolver, path

from . import account_views, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.today, name="today"),
    path("calendar/", views.calendar, name="calendar"),
    path("login/", account_views.PortalLoginView.as_view(), name="login"),
    path("logout/", account_views.sign_out, name="logout"),
    path("welcome/<str:token>/", account_views.accept, name="accept"),
]
