"""A database outage answers 503 on every page, not only in the API."""

from django.db import connections
from django.http import HttpResponse, JsonResponse

from config.errors import DATABASE_OUTAGE

UNAVAILABLE = "The database is unavailable; try again shortly."


def drop_broken_connections() -> None:
    """Close connections the outage broke, so the next request reconnects."""
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_OUTAGE):
            return None
        drop_broken_connections()
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": UNAVAILABLE, "code": "unavailable"}, status=503)
        else:
            response = HttpResponse(UNAVAILABLE, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "5"
        return response
