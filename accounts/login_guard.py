"""Password guessing: django-axes counts failed sign-ins per account and per address.

Every sign-in surface (the API token, the login form, /admin/login/) goes
through ``django.contrib.auth.authenticate`` with the request, so one counter
covers them all; it lives in the database, so every worker counts together.
Locked out, the API answers 429 in the error shape, pages a readable 429 page.
Unlock: ``python manage.py axes_reset_username NAME`` (or ``axes_reset_ip ADDR``,
``axes_reset`` for everything), or wait ``LOGIN_LOCKOUT_MINUTES``.
"""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class LoginGuardBackend(AxesStandaloneBackend):
    """Axes' lockout check, for sign-ins that come with a request.

    Calls without one (``manage.py`` code, the test client's ``login``) are
    not a network surface, so there is nothing to count and nothing to refuse.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_response(request, original_response=None, credentials=None):
    """Axes' lockout answer: the API's error shape, or a page for people."""
    minutes = lockout_minutes()
    retry_after = str(minutes * 60)
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": _("Too many failed sign-in attempts; try again in %(minutes)d minutes.")
                % {"minutes": minutes},
                "code": "locked_out",
            },
            status=429,
        )
    else:
        response = render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = retry_after
    return response
