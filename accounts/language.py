"""The interface language of a request.

Order: a signed-in user's saved ``language``, else the language cookie (set by the
header's switcher), else the browser's ``Accept-Language`` (Django's LocaleMiddleware),
else English. Saving happens in the switcher and in PATCH /api/v1/users/me/; a
sign-in on any device then shows the saved language, and the cookie follows it so
that the sign-in page keeps it after signing out.
"""

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from drf_spectacular.authentication import SessionScheme, TokenScheme
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from accounts.tokens import token_owner


def supported(code: str | None) -> str | None:
    """The interface language ``code`` names (e.g. "zh-CN" -> "zh-hans"), or None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code.strip().lower())
    except LookupError:
        return None


def apply_user_language(request: HttpRequest, user) -> None:
    language = supported(getattr(user, "language", ""))
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language


class UserLanguageMiddleware:
    """After authentication: the session user's saved language for this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = _saved_language(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            _set_cookie(response, language)
        return response


def _saved_language(request: HttpRequest) -> str | None:
    user = getattr(request, "user", None)
    try:
        if user is None or not user.is_authenticated:
            return None
    except DatabaseError:
        # No database, no saved language: the view answers 503 in the browser's language.
        return None
    return supported(getattr(user, "language", ""))


def _set_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def save_language(user, code: str) -> str:
    """Stores ``code`` (an interface language, or "" for "follow the browser") on ``user``."""
    language = supported(code) or ""
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return language


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The header's switcher: Django's set_language, and the choice kept on the user."""
    response = django_set_language(request)
    language = supported(request.POST.get("language"))
    if language and request.user.is_authenticated:
        save_language(request.user, language)
    return response


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        # DRF's checks, with the lookup as one plain statement (accounts/tokens.py); the messages are DRF's, translated by its catalogue.
        user = token_owner(key)
        if user is None:
            raise exceptions.AuthenticationFailed(gettext("Invalid token."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(gettext("User inactive or deleted."))
        return user, Token(key=key, user=user)

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            apply_user_language(request._request, result[0])
        return result


class SessionAuthentication(authentication.SessionAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            apply_user_language(request._request, result[0])
        return result


# The schema names these as the session and token schemes they extend.
class LanguageSessionScheme(SessionScheme):
    target_class = "accounts.language.SessionAuthentication"


class LanguageTokenScheme(TokenScheme):
    target_class = "accounts.language.TokenAuthentication"
