"""The audit log for programme admins: their programmes' events, filterable, newest first."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from benzodetox.web.programmes.models import Programme
from benzodetox.web.programmes.scoping import unscoped
from benzodetox.web.programmes.services import programmes_where

from .forms import AuditFilterForm
from .services import events_for_admin, record


def event_list(request: HttpRequest) -> HttpResponse:
    """A programme admin's programmes' events; a superuser's: every programme's."""
    if getattr(request.user, "is_superuser", False):
        with unscoped():
            return _event_list(request, list(Programme.objects.order_by("name")))
    programmes = programmes_where(request.user, "audit.view")
    if not programmes:
        raise PermissionDenied("only programme admins see the audit log")
    return _event_list(request, programmes)


def _event_list(request: HttpRequest, programmes: list[Programme]) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = events_for_admin(
        [p.pk for p in programmes],
        username=filters.get("username") or "",
        action=filters.get("action") or "",
        patient_id=filters.get("patient"),
        since=filters.get("since"),
        until=filters.get("until"),
    )
    # Recorded before the page is counted, so the count and the rows agree.
    record(
        request,
        "audit.viewed",
        programme=programmes[0] if programmes else None,
        summary=request.GET.urlencode()[:300],
    )
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/list.html",
        {"form": form, "page": page, "programmes": programmes, "query": query.urlencode()},
    )
