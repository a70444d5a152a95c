from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts.language import set_language
from config.api_docs import DocsView, SchemaView
from config.i18n_views import javascript_catalog
from config.errors_views import api_not_found, favicon

# The API: accounts (tokens, users, the audit trail) and labeling (everything else).
api_v1 = [
    path("", include("accounts.urls")),
    path("", include("labeling.api.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", DocsView.as_view(url_name="schema"), name="api-docs"),
    path("api/<path:rest>", api_not_found),
    path("favicon.ico", favicon),
    # gettext, ngettext, interpolate... as globals of every page (base.html loads it first).
    path("i18n/js/", javascript_catalog, name="javascript-catalog"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("annotate.urls")),
]
# Pages (not the API, which keeps its JSON errors) get styled error pages.
handler403 = "annotate.pages.errors.forbidden"
handler404 = "annotate.pages.errors.not_found"
handler500 = "annotate.pages.errors.server_error"
if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.STATIC_URL, document_root=settings.STATIC_ROOT)
