"""Running ``manage.py import_images`` as a test would from a shell."""

import io

from django.core.management import call_command


def run_import(*args) -> tuple[str, str]:
    """The command's stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_images", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()
