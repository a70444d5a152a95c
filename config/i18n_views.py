"""The JavaScript catalog: Django's JavaScriptCatalog, revalidated by an ETag.

Every page loads it as a plain script before its own, so ``gettext``,
``ngettext``, ``interpolate``, ``get_format`` are globals (no inline script: CSP).
"""

from django.conf import settings
from django.utils import translation
from django.views.decorators.http import etag
from django.views.i18n import JavaScriptCatalog


def _catalog_tag(request, *args, **kwargs) -> str:
    stamps = []
    for directory in settings.LOCALE_PATHS:
        for mo in sorted(directory.glob("*/LC_MESSAGES/djangojs.mo")):
            stamps.append(f"{mo.parent.parent.name}:{mo.stat().st_mtime_ns}")
    return f"{translation.get_language()}|{'|'.join(stamps)}"


# packages=["annotate"]: our catalogs (LOCALE_PATHS) only, not the admin's scripts' strings.
javascript_catalog = etag(_catalog_tag)(JavaScriptCatalog.as_view(packages=["annotate"]))
