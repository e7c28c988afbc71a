"""``/api/v1/``: the django-ninja application (web/api/api.py), its OpenAPI document at
``openapi.json`` and its documentation page at ``docs``."""

from django.urls import URLPattern, URLResolver, path

from .api import api

urlpatterns: list[URLPattern | URLResolver] = [path("", api.urls)]
