"""Styled 403, 404 and 500 pages with the site's header and a way back.

The API never reaches these: its errors keep the JSON shape (config/errors.py).
"""

from django.http import HttpResponse
from django.template import loader
from django.utils.translation import gettext_lazy as _

_PAGES = {
    403: (
        _("Not allowed"),
        _("Your role in this project does not include this page. A supervisor of the project can change your role."),
    ),
    404: (_("Not found"), _("This page does not exist, or it belongs to a project you are not a member of.")),
    500: (_("Something went wrong"), _("The error was logged. Try again in a moment; nothing you saved is lost.")),
}


def _render(request, status: int) -> HttpResponse:
    heading, explanation = _PAGES[status]
    context = {"status": status, "heading": heading, "explanation": explanation}
    try:
        body = loader.render_to_string("error_page.html", context, request=request)
    except Exception:  # noqa: BLE001 - a broken template must not turn a 500 into a crash
        body = f"<!doctype html><title>{status}</title><h1>{status} · {heading}</h1><p><a href='/'>Plateau Label</a></p>"
    return HttpResponse(body, status=status)


def forbidden(request, exception=None):
    return _render(request, 403)


def not_found(request, exception=None):
    return _render(request, 404)


def server_error(request):
    return _render(request, 500)
