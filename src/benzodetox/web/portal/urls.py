"""/portal/: the patient's pages (today, calendar, plan) and the check-ins between visits."""

from django.urls import include, path

app_name = "portal"
urlpatterns = [
    path("", include("benzodetox.web.portal.today_urls")),
    path("", include("benzodetox.web.checkins.portal_urls")),
]
