from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.csrf import csrf_exempt
from django.utils.translation import gettext as _


# Exempt from CSRF: it changes nothing, and a POST to a wrong path must get this
# JSON 404, not Django's HTML CSRF page (found by the schema fuzzer).
@csrf_exempt
def api_not_found(request, rest: str = "") -> JsonResponse:
    """Unknown API paths answer in the API's error shape, not an HTML page."""
    return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)


def favicon(request) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico on pages that do not name an icon (API docs, admin)."""
    return HttpResponsePermanentRedirect(static("annotate/favicon.svg"))
