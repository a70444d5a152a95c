"""The OpenAPI schema and the docs page: signed-in users only unless opened.

They map every endpoint and parameter, so in production (``DEBUG=0``) they are
not for anonymous visitors; ``API_DOCS_PUBLIC=1`` opens them.
"""

from django.conf import settings
from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib.auth.views import redirect_to_login
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework.permissions import BasePermission


class DocsAccess(BasePermission):
    def has_permission(self, request, view) -> bool:
        return settings.API_DOCS_PUBLIC or bool(request.user and request.user.is_authenticated)


class SchemaView(SpectacularAPIView):
    permission_classes = [DocsAccess]


@method_decorator(csp_update({"style-src": [UNSAFE_INLINE]}), name="dispatch")
class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script as a file (no inline script: CSP).

    Swagger UI sets styles inline as it renders, so this one page allows inline
    styles; scripts stay 'self' only, as everywhere.
    """

    permission_classes = [DocsAccess]

    def handle_exception(self, exc):
        # A person at the docs page is sent to sign in, not shown a JSON error.
        if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)
