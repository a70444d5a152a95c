"""JSON from an untrusted upload, with refusals that name what is wrong and where.

Before any parser runs, the nesting depth is measured on the raw bytes
(strings removed, brackets counted with numpy), so a 3,000-level file is a
clear 400 instead of Python's RecursionError. Then:

- bytes that are not UTF-8 are named with the JSON path of the string that
  holds them (the file is parsed again with the bad bytes escaped); UTF-16
  and UTF-32 files are named as such; a UTF-8 byte-order mark is accepted;
- ``NaN``, ``Infinity`` and numbers too large for a float are parsed into
  :class:`NonFinite` markers, so the check of each field can say which one
  it met (:func:`number_problem`), with its path.
"""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

import codecs
import json
import math
import re

import numpy as np

from config.errors import DomainError

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_OPEN = np.frombuffer(b"[{", dtype=np.uint8)
_WIDE_BOMS = {
    codecs.BOM_UTF32_LE: "UTF-32", codecs.BOM_UTF32_BE: "UTF-32",
    codecs.BOM_UTF16_LE: "UTF-16", codecs.BOM_UTF16_BE: "UTF-16",
}


class NonFinite:
    """A number JSON does not allow (NaN, Infinity) or one too large for a float."""

    def __init__(self, literal: str) -> None:
        self.literal = literal

    def __repr__(self) -> str:
        return self.literal


def invalid(fmt: str, errors: list[dict]) -> DomainError:
    return DomainError(
        ngettext("The %(format)s file has %(n)s problem; nothing was imported.",
                 "The %(format)s file has %(n)s problems; nothing was imported.", len(errors))
        % {"format": fmt.upper(), "n": len(errors)},
        code=f"{fmt}_invalid", error_count=len(errors), errors=errors[:100],
    )


def nesting_depth(raw: bytes) -> int:
    """How deeply arrays and objects nest, counted outside strings."""
    brackets = np.frombuffer(_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS), dtype=np.uint8)
    if not len(brackets):
        return 0
    steps = np.where(np.isin(brackets, _OPEN), 1, -1)
    return int(np.cumsum(steps).max())


def load_json(raw: bytes, *, fmt: str, max_depth: int):
    """Parse ``raw``; refuse (4xx, ``<fmt>_invalid`` or ``not_<fmt>``) what cannot be read safely."""
    for bom, name in _WIDE_BOMS.items():
        if raw.startswith(bom):
            raise invalid(fmt, [{"path": "$", "code": "bad_encoding",
                                 "message": _("The file is %(name)s text; save it as UTF-8.") % {"name": name}}])
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    depth = nesting_depth(raw)
    if depth > max_depth:
        raise invalid(fmt, [{"path": "$", "code": "too_deep",
                             "message": _("Arrays and objects nest %(depth)s levels deep; at most %(max)s are read.")
                             % {"depth": depth, "max": max_depth}}])
    try:
        text, bad_bytes = raw.decode("utf-8"), False
    except UnicodeDecodeError:
        text, bad_bytes = raw.decode("utf-8", errors="surrogateescape"), True
    try:
        document = json.loads(text, parse_constant=NonFinite, parse_float=_float)
    except ValueError as exc:
        raise DomainError(_("The file is not JSON: %(exc)s.") % {"exc": exc}, code=f"not_{fmt}") from None
    if bad_bytes:
        errors = [{"path": path, "code": "bad_encoding",
                   "message": _("Not UTF-8 text (byte 0x%(byte)s); save the file as UTF-8.") % {"byte": f"{byte:02X}"}}
                  for path, byte in _undecodable(document, "")]
        raise invalid(fmt, errors or [{"path": "$", "code": "bad_encoding",
                                       "message": _("The file is not UTF-8 text.")}])
    return document


def _float(text: str):
    value = float(text)
    return value if math.isfinite(value) else NonFinite(text)


def _undecodable(value, path: str):
    """(path, first bad byte) of every string or key holding undecodable bytes."""
    stack = [(value, path)]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            bad = next((ord(c) - 0xDC00 for c in value if "\udc80" <= c <= "\udcff"), None)
            if bad is not None:
                yield path, bad
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{i}]") for i, item in reversed(list(enumerate(value))))
        elif isinstance(value, dict):
            for key, item in reversed(list(value.items())):
                inner = f"{path}.{key}" if path else key
                stack.append((item, inner))
                stack.append((key, inner))


def number_problem(value) -> tuple[str, str] | None:
    """Why ``value`` is not a usable number, as (code, message); None when it is one."""
    if isinstance(value, bool) or value is None:
        return "not_a_number", f"A number is expected, got {json.dumps(value)}."
    if isinstance(value, (int, float)):
        return None if math.isfinite(value) else ("not_finite", f"{value} is not a finite number.")
    if isinstance(value, NonFinite):
        return "not_finite", f"{value.literal} is not a number JSON allows."
    if isinstance(value, str):
        return "string_not_number", f"The string {json.dumps(value)} is where a number belongs."
    return "not_a_number", f"A number is expected, got a JSON {type(value).__name__}."
