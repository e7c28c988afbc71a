from django.urls import path

from . import views
from .two_factor import two_factor

app_name = "programmes"
urlpatterns = [
    path("members/", views.members, name="members"),
    path("two-factor/", two_factor, name="two_factor"),
]
