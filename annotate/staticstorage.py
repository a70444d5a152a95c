"""Static files storage for production: hashed names, compressed copies, and
hashed names inside ES module imports too.

The box tool is plain ES modules that import each other by relative path.
Django rewrites those imports only when asked (``support_js_module_import_aggregation``);
without it a hashed ``app.js`` would load unhashed siblings that whitenoise may
serve stale for a while after a deploy.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ModuleManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
