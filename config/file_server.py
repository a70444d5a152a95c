"""Signed image links answered before Django.

A valid link (``labeling/file_links.py``) names a file and is its own
permission, so its answer needs no token lookup, access query or middleware:
this wrapper streams the file (gunicorn sends it with ``sendfile``) and answers
304 to a current ``If-None-Match``. Anything else under the prefix (a bad or
expired link, another method) goes on to Django, whose view answers it in the
API's error shape and the reader's language.

Left out on purpose: these answers carry no CSP or frame headers (an image
needs none; the type comes from the stored name, which ingest sets) and their
few microseconds of CPU are not in the per-task web energy.
"""

from __future__ import annotations

from labeling.file_links import FILE_HEADERS, PREFIX, linked_file

_CHUNK = 64 * 1024


class SignedFiles:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD")
        if not path.startswith(PREFIX) or method not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        token, _, rest = path[len(PREFIX):].partition("/")
        found = linked_file(token) if rest == "" else None
        if found is None:
            return self.app(environ, start_response)
        headers = [("Content-Type", found.content_type), ("ETag", found.etag), *FILE_HEADERS.items()]
        if found.etag in environ.get("HTTP_IF_NONE_MATCH", ""):
            start_response("304 Not Modified", headers)
            return []
        try:
            stream = open(found.path, "rb")
        except OSError:  # gone since the stat: Django's view answers the 404
            return self.app(environ, start_response)
        start_response("200 OK", [*headers, ("Content-Length", str(found.size))])
        if method == "HEAD":
            stream.close()
            return []
        wrapper = environ.get("wsgi.file_wrapper")
        return wrapper(stream, _CHUNK) if wrapper else _chunks(stream)


def _chunks(stream):
    with stream:
        while chunk := stream.read(_CHUNK):
            yield chunk
