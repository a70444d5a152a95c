"""A label's display names per language: what people read; ``name`` is what datasets carry.

``LabelClass.display_names`` maps a language code of ``settings.LABEL_NAME_LANGUAGES``
to a name (``{"zh-hans": "牦牛", "bo": "གཡག"}``). Pages, the tool, review, stats and
reports show :func:`display_name` (the request's language, else the canonical
name); Tibetan, which is not an interface language, is shown beside it where a
label has one. Every export writes the canonical name only, whatever the
requester's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from config.errors import DomainError
from labeling.models import LabelClass

MAX_LENGTH = 100
TIBETAN = "bo"


def languages() -> list[str]:
    return [code for code, _name in settings.LABEL_NAME_LANGUAGES]


def clean_display_names(value: object, *, keep_empty: bool = False) -> dict[str, str]:
    """The stored form of ``value``: known languages only, trimmed, empty names dropped
    (kept as "" with ``keep_empty``: in an update they remove that language's name)."""
    if not isinstance(value, Mapping):
        raise DomainError(_("display_names must be an object of language code to name."),
                          code="invalid_display_names")
    known = languages()
    cleaned: dict[str, str] = {}
    for code, name in value.items():
        if code not in known:
            raise DomainError(
                _("Unknown language %(code)s: display names may be given in %(known)s.")
                % {"code": str(code)[:20], "known": ", ".join(known)},
                code="invalid_display_names",
            )
        if name is None:
            name = ""
        if not isinstance(name, str) or len(name.strip()) > MAX_LENGTH or "\x00" in name:
            raise DomainError(
                _("The %(code)s name must be text of at most %(n)d characters.") % {"code": code, "n": MAX_LENGTH},
                code="invalid_display_names",
            )
        if name.strip() or keep_empty:
            cleaned[code] = name.strip()
    return cleaned


def interface_key(language: str | None = None) -> str:
    """The display-name language a page in ``language`` (default: the active one) reads."""
    code = (language or translation.get_language() or settings.LANGUAGE_CODE).lower()
    known = languages()
    if code in known:
        return code
    base = code.split("-")[0]
    if base == "zh" and "zh-hans" in known:
        return "zh-hans"
    return base if base in known else ""


def display_name(label: LabelClass, language: str | None = None) -> str:
    """The label's name in ``language`` (default: the request's), else its canonical name."""
    return (label.display_names or {}).get(interface_key(language)) or label.name


def tibetan_name(label: LabelClass) -> str:
    return (label.display_names or {}).get(TIBETAN, "")


def display_names_by_name(labels: Iterable[LabelClass], language: str | None = None) -> dict[str, str]:
    """Canonical name -> display name, for pages that hold boxes by label name."""
    return {label.name: display_name(label, language) for label in labels}


def label_display_names_set(label: LabelClass, names: object, *, replace: bool = False) -> LabelClass:
    """Sets display names (``{"bo": ""}`` removes one; ``replace`` drops the unnamed ones)."""
    cleaned = clean_display_names(names, keep_empty=True)
    with transaction.atomic():
        label = LabelClass.objects.select_for_update().get(pk=label.pk)
        merged = {} if replace else dict(label.display_names or {})
        merged.update(cleaned)
        merged = {code: name for code, name in merged.items() if name}
        label.display_names = merged
        label.save(update_fields=["display_names"])
    return label
