from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config.api_docs import DocsView, SchemaView
from config.errors_views import api_not_found, favicon

# One include per area, so that each area adds its routes in its own module.
api_v1 = [
    path("", include("accounts.urls")),
    path("", include("labeling.urls")),
    path("", include("labeling.api.images_urls")),
    path("", include("labeling.api.tasks_urls")),
    path("", include("labeling.api.review_urls")),
    path("", include("labeling.api.team_urls")),
    path("", include("labeling.api.exports_urls")),
    path("", include("labeling.api.energy_urls")),
    path("", include("labeling.mlbackends.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", DocsView.as_view(url_name="schema"), name="api-docs"),
    path("api/<path:rest>", api_not_found),
    path("favicon.ico", favicon),
    path("", include("annotate.urls")),
]
# Pages (not the API, which keeps its JSON errors) get styled error pages.
handler403 = "annotate.error_pages.forbidden"
handler404 = "annotate.error_pages.not_found"
handler500 = "annotate.error_pages.server_error"
if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.STATIC_URL, document_root=settings.STATIC_ROOT)
