"""The open taper calculator: no sign-in, every page a GET built from its query string, nothing
stored (no database row, session, cookie or file). Rate limited per client address; cacheable;
off with ``BENZODETOX_CALCULATOR=0`` (every calculator URL is then 404)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_GET

from benzodetox.interop.csv_export import pharmacy_order_csv
from benzodetox.interop.ical import plan_to_ics
from benzodetox.reports.pdf import handout_pdf

from . import ratelimit, services
from .forms import read_input, regimen_rows

#: Seconds a browser or shared cache may keep a calculator answer: the same URL gives the same
#: plan (the start date is in it), except the "past start" note, which follows today.
MAX_AGE = 300
#: Rate-limit tokens a request takes: a PDF keeps the server busy for longer.
PDF_COST = 5

View = Callable[..., HttpResponse]


def _cacheable(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Public for visitors; private for a signed-in clinician (whose response renews the
    session cookie and must not sit in a shared cache)."""
    if response.status_code == 200:
        signed_in = settings.SESSION_COOKIE_NAME in request.COOKIES
        if signed_in:
            patch_cache_control(response, private=True, max_age=MAX_AGE)
        else:
            patch_cache_control(response, public=True, max_age=MAX_AGE)
        patch_vary_headers(response, ("HX-Request",))
    return response


def calculator_view(cost: int = 1) -> Callable[[View], View]:
    """Off-switch, GET only, rate limit, cache headers."""

    def decorate(view: View) -> View:
        @require_GET
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not settings.CALCULATOR_ENABLED:
                raise Http404("the calculator is turned off on this server")
            wait = ratelimit.take(request, cost)
            if wait:
                response = render(
                    request,
                    "calculator/limited.html",
                    {"retry": ratelimit.retry_after(wait)},
                    status=429,
                )
                response["Retry-After"] = ratelimit.retry_after(wait)
                response["Cache-Control"] = "no-store"
                return response
            return _cacheable(request, view(request, *args, **kwargs))

        return wrapped

    return decorate


def _context(request: HttpRequest) -> dict[str, Any]:
    context = services.calculator_context(read_input(request.GET), timezone.localdate())
    context["regimen_rows"] = regimen_rows(context["entered"])
    context["page_url"] = reverse("calculator:page")
    context["share_url"] = request.build_absolute_uri(
        reverse("calculator:page") + (f"?{context['query']}" if context["query"] else "")
    )
    return context


@calculator_view()
def page(request: HttpRequest) -> HttpResponse:
    """The calculator; with a submitted form (a shared link, or the form sent without
    JavaScript) the plan too."""
    context = _context(request)
    status = 200 if context["preview"] is not None or not context["entered"].submitted else 400
    return render(request, "calculator/page.html", context, status=status)


@calculator_view()
def preview(request: HttpRequest) -> HttpResponse:
    """The htmx fragment: the plan for the form as it stands; the address bar follows it."""
    context = _context(request)
    response = render(request, "calculator/_fragment_preview.html", context)
    response["HX-Push-Url"] = reverse("calculator:page") + (
        f"?{context['query']}" if context["query"] else ""
    )
    return response


@calculator_view()
def print_view(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    if context["preview"] is None:
        return _refused(request, context)
    return render(request, "calculator/print.html", context)


def _refused(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    """A download or print of a form that does not build: the page with the errors on the
    fields (400), never a file."""
    return render(request, "calculator/page.html", context, status=400)


def _download(request: HttpRequest, make: Callable[[dict[str, Any]], HttpResponse]) -> HttpResponse:
    context = _context(request)
    if context["preview"] is None:
        return _refused(request, context)
    return make(context)


def _attachment(body: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@calculator_view(cost=PDF_COST)
def handout(request: HttpRequest) -> HttpResponse:
    """The patient handout with its patient and contact fields blank, to fill in by hand."""
    return _download(
        request,
        lambda c: _attachment(handout_pdf(c["plan"]), "application/pdf", "taper-handout.pdf"),
    )


@calculator_view()
def calendar(request: HttpRequest) -> HttpResponse:
    return _download(
        request,
        lambda c: _attachment(plan_to_ics(c["plan"]), "text/calendar", "taper-plan.ics"),
    )


@calculator_view()
def pharmacy_csv(request: HttpRequest) -> HttpResponse:
    """The pharmacy quantities (one row per product per supply period), no patient header."""
    return _download(
        request,
        lambda c: _attachment(
            pharmacy_order_csv(c["plan"], c["form"].supply_period()),
            "text/csv; charset=utf-8",
            "taper-pharmacy-quantities.csv",
        ),
    )


@calculator_view()
def plan_json(request: HttpRequest) -> HttpResponse:
    """The plan as the CLI's ``--format json`` writes it."""
    return _download(
        request,
        lambda c: _attachment(services.plan_json(c["plan"]), "application/json", "taper-plan.json"),
    )


def front_door(request: HttpRequest) -> HttpResponse:
    """The front door "/": a signed-in clinician goes to the patient list; a visitor to the
    calculator (or to the sign-in page when the calculator is off)."""
    if request.user.is_authenticated or not settings.CALCULATOR_ENABLED:
        return HttpResponseRedirect(reverse("patients:list"))
    return HttpResponseRedirect(reverse("calculator:page"))
