#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    from django.core.management import execute_from_command_line

    # Commands speak English unless PLATEAU_LANGUAGE names a language of the site (zh-hans).
    if os.environ.get("PLATEAU_LANGUAGE"):
        import django
        from django.utils import translation

        django.setup()
        translation.activate(os.environ["PLATEAU_LANGUAGE"])
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
