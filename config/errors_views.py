from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt


# Exempt from CSRF: it changes nothing, and a POST to a wrong path must get this
# JSON 404, not Django's HTML CSRF page (found by the schema fuzzer).
@csrf_exempt
def api_not_found(request, rest: str = "") -> JsonResponse:
    """Unknown API paths answer in the API's error shape, not an HTML page."""
    return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
