from django.urls import path

from . import admin_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("verify/", views.verify, name="verify"),
    path("members/<int:user_id>/", admin_views.member, name="member"),
    path("reset/<int:link_id>/<str:token>/", admin_views.reset, name="reset"),
    path("", views.account, name="account"),
]
