"""Turn the access layer's refusals into page responses (404 / 403)."""

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.http import Http404

from config.errors import Forbidden, NotFound

T = TypeVar("T")


def page_access(fetch: Callable[..., T], *args, **kwargs) -> T:
    """Call an ``access_*`` function; its API errors become Django's page errors."""
    try:
        return fetch(*args, **kwargs)
    except NotFound:
        raise Http404("Not found.") from None
    except Forbidden as exc:
        raise PermissionDenied(exc.detail) from None
