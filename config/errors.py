"""One error shape for the whole API: ``{"detail": ..., "code": ...}``.

Services raise :class:`DomainError` subclasses; the exception handler turns
them (and DRF's and Django's own errors) into JSON with the right status.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


# The database went away (restart, dropped connection, failover): a request
# answers 503 and a job retries; anything else is a bug and fails once.
DATABASE_OUTAGE = (OperationalError, InterfaceError)


class DomainError(Exception):
    """A refusal a client can act on; carries its HTTP status and a stable code."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, detail: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code or self.default_code
        self.extra = extra


class NotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "not_found"


class Forbidden(DomainError):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "permission_denied"


class Conflict(DomainError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class TooLarge(DomainError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def _first_code(codes: Any) -> str:
    if isinstance(codes, str):
        return codes
    if isinstance(codes, list) and codes:
        return _first_code(codes[0])
    if isinstance(codes, dict) and codes:
        return _first_code(next(iter(codes.values())))
    return "invalid"


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(
            {"detail": exc.detail, "code": exc.code, **exc.extra}, status=exc.status_code
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DATABASE_OUTAGE) or type(exc) is DatabaseError:
        # The database went away: say so plainly; the client may retry. Drop the
        # broken connection now so that the next request reconnects.
        from config.middleware import drop_broken_connections

        drop_broken_connections()
        return Response(
            {"detail": _("The database is unavailable; try again shortly."), "code": "unavailable"},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail
        if isinstance(errors, dict) and set(errors) == {"detail"}:
            detail = str(_flatten(errors["detail"]))
            response.data = {"detail": detail, "code": _first_code(exc.get_codes())}
        else:
            response.data = {
                "detail": _summary(errors),
                "code": _first_code(exc.get_codes()),
                "errors": errors if isinstance(errors, dict) else {"non_field_errors": errors},
            }
    elif isinstance(exc, exceptions.APIException):
        response.data = {"detail": str(exc.detail), "code": _first_code(exc.get_codes())}
    return response


def _flatten(value: Any) -> Any:
    while isinstance(value, list) and value:
        value = value[0]
    return value


def _summary(errors: Any) -> str:
    if isinstance(errors, dict) and errors:
        field, messages = next(iter(errors.items()))
        message = _flatten(messages)
        if isinstance(message, dict):
            return _summary(message)
        return f"{field}: {message}" if field != "non_field_errors" else str(message)
    if isinstance(errors, list) and errors:
        return str(_flatten(errors))
    return "Invalid input."
