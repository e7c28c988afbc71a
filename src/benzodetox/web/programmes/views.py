"""Programme members, for programme admins (accounts are added with `benzodetox user add`)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Membership
from .services import programmes_where


def members(request: HttpRequest) -> HttpResponse:
    programmes = programmes_where(request.user, "members.view")
    if not programmes:
        raise PermissionDenied("only programme admins see the member list")
    rows = Membership.objects.filter(programme__in=programmes).select_related("user", "programme")
    return render(request, "programmes/members.html", {"rows": rows, "programmes": programmes})
