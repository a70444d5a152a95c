"""Translation catalogs without system gettext: extract, compile, check.

The catalogs live in ``locale/<locale>/LC_MESSAGES/``: ``django.po`` holds the
strings marked in Python and templates, ``djangojs.po`` those of the JavaScript
served by ``/i18n/js/`` (Django's JavaScriptCatalog). Babel does what
makemessages and msgfmt would: templates go through Django's own ``templatize``
(what makemessages feeds to xgettext) and then Babel's Python extractor.

    python -m config.i18n extract   # add newly marked strings to every .po (untranslated)
    python -m config.i18n compile   # .po -> .mo (make install, make test and the test session run it)
    python -m config.i18n check     # exits 1 listing missing, untranslated or fuzzy entries
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
LOCALE_DIR = BASE_DIR / "locale"
# Every language of the interface but the source language (English).
LOCALES = ["zh_Hans"]
SOURCE_APPS = ["accounts", "annotate", "config", "energy", "labeling"]
SKIP_PARTS = {"migrations", "__pycache__", "tests"}

# Django's translation functions as Babel keyword specs: numbers are argument
# positions, "c" marks the context argument.
PYTHON_KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
JS_KEYWORDS = {
    "gettext": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}

# Dates in the header would change on every run and conflict on every merge.
FIXED_DATE = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _files(suffixes: tuple[str, ...], under: str = "") -> Iterator[Path]:
    for app in SOURCE_APPS:
        for path in sorted((BASE_DIR / app).rglob("*")):
            if path.suffix in suffixes and not SKIP_PARTS & set(path.parts) and under in path.as_posix():
                yield path


def _messages(domain: str) -> Iterator[tuple[Path, int, str | tuple, str | None]]:
    from babel.messages.extract import extract

    if domain == "django":
        from django.utils.translation.template import templatize

        for path in _files((".py",)):
            with path.open("rb") as handle:
                for lineno, message, _comments, context in extract("python", handle, PYTHON_KEYWORDS):
                    yield path, lineno, message, context
        for path in _files((".html", ".txt"), under="/templates/"):
            # templatize keeps the template's indentation, which Python's tokenizer
            # refuses outside brackets (xgettext does not care): one pair of
            # parentheses around it all makes every line a continuation line.
            code = "(\n" + templatize(path.read_text(encoding="utf-8"), origin=str(path)) + "\n)"
            for lineno, message, _comments, context in extract(
                "python", io.BytesIO(code.encode("utf-8")), PYTHON_KEYWORDS
            ):
                yield path, lineno, message, context
    else:
        for path in _files((".js",), under="/static/"):
            with path.open("rb") as handle:
                options = {"parse_template_string": True}
                for lineno, message, _comments, context in extract("javascript", handle, JS_KEYWORDS, options=options):
                    yield path, lineno, message, context


def extracted(domain: str):
    """The template catalog: every string marked in the sources of ``domain``."""
    from babel.messages.catalog import Catalog

    catalog = Catalog(project="Plateau Label", charset="utf-8")
    for path, lineno, message, context in _messages(domain):
        if not message or (isinstance(message, tuple) and not message[0]):
            continue
        catalog.add(message, None, [(path.relative_to(BASE_DIR).as_posix(), lineno)], context=context)
    return catalog


def po_path(locale: str, domain: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{domain}.po"


def read(locale: str, domain: str):
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po

    path = po_path(locale, domain)
    if not path.exists():
        return Catalog(locale=locale, domain=domain, project="Plateau Label", charset="utf-8")
    with path.open("rb") as handle:
        return read_po(handle, locale=locale, domain=domain)


def extract_all() -> None:
    """Adds newly marked strings to every catalog; drops entries no source marks any more."""
    from babel.messages.pofile import write_po

    for domain in ("django", "djangojs"):
        template = extracted(domain)
        for locale in LOCALES:
            catalog = read(locale, domain)
            catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
            catalog.fuzzy = False
            catalog.revision_date = catalog.creation_date = FIXED_DATE
            path = po_path(locale, domain)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                # Sorted and without source locations: sessions adding strings side by
                # side then rarely touch the same lines (fewer merge conflicts).
                write_po(handle, catalog, ignore_obsolete=True, sort_output=True, width=0,
                         no_location=True, include_previous=False)


def compile_all() -> list[Path]:
    """Writes each .po's .mo beside it; fuzzy entries are left out, as msgfmt does."""
    from babel.messages.mofile import write_mo

    written = []
    for locale in LOCALES:
        for domain in ("django", "djangojs"):
            catalog = read(locale, domain)
            target = po_path(locale, domain).with_suffix(".mo")
            buffer = io.BytesIO()
            write_mo(buffer, catalog)
            if not target.exists() or target.read_bytes() != buffer.getvalue():
                target.write_bytes(buffer.getvalue())
                written.append(target)
    return written


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, (tuple, list)) else [message.string]
    return bool(strings) and all(s and s.strip() for s in strings)


# A translation call inside an f-string's braces: neither xgettext nor Babel (on
# Python 3.11) looks inside f-strings, so that string never reaches the catalog.
HIDDEN_CALL = re.compile(r"""\bf(?:'[^'\n]*|"[^"\n]*)\{[^}\n]*\b(?:_|gettext|ngettext|pgettext|gettext_lazy)\(""")


def hidden_calls() -> list[str]:
    found = []
    for path in _files((".py",)):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if HIDDEN_CALL.search(line):
                found.append(f"{path.relative_to(BASE_DIR)}:{lineno}: translation call inside an f-string "
                             "(the extractor cannot see it: translate into a variable first)")
    return found


def problems() -> list[str]:
    """Every marked string missing from a catalog, untranslated, or fuzzy."""
    found = hidden_calls()
    for domain in ("django", "djangojs"):
        template = extracted(domain)
        for locale in LOCALES:
            catalog = read(locale, domain)
            for message in template:
                if not message.id:
                    continue
                where = ", ".join(f"{f}:{n}" for f, n in message.locations[:2])
                entry = catalog.get(message.id, context=message.context)
                msgid = message.id[0] if isinstance(message.id, tuple) else message.id
                if entry is None:
                    found.append(f"{locale}/{domain}.po: missing {msgid!r} ({where})")
            for entry in catalog:
                if not entry.id:
                    continue
                msgid = entry.id[0] if isinstance(entry.id, tuple) else entry.id
                if entry.fuzzy:
                    found.append(f"{locale}/{domain}.po: fuzzy {msgid!r}")
                elif not _translated(entry):
                    found.append(f"{locale}/{domain}.po: untranslated {msgid!r}")
    return found


def main(argv: list[str]) -> int:
    import django

    command = argv[0] if argv else "check"
    if command == "compile":
        # Compiling needs no settings (and no database server).
        for path in compile_all():
            print(f"compiled {path.relative_to(BASE_DIR)}")
        return 0
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_I18N=True)
    django.setup()
    if command == "extract":
        extract_all()
        return 0
    if command == "check":
        found = problems()
        print("\n".join(found) if found else "catalogs complete")
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
