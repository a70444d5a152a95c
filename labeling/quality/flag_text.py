"""A quality flag's message in the reader's language.

Flags are stored with an English ``message`` (what the job wrote) and the
``params`` it was made from; readers get the message rebuilt in the active
language. A flag stored before flags had params keeps its English message.
"""

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _pct(share: float) -> str:
    return f"{formats.number_format(share * 100, 0)}%"


def _num(value: float, digits: int) -> str:
    return formats.number_format(value, digits)


def _message(code: str, p: dict) -> str | None:
    if code == "tiny_boxes":
        return ngettext("%(n)s box under %(px)s px on a side", "%(n)s boxes under %(px)s px on a side",
                        p["n"]) % {"n": p["n"], "px": f"{p['px']:g}"}
    if code == "extreme_aspect":
        return ngettext("%(n)s box more than %(ratio)s× longer than wide",
                        "%(n)s boxes more than %(ratio)s× longer than wide", p["n"]) % {
            "n": p["n"], "ratio": f"{p['ratio']:g}"}
    if code == "duplicate_boxes":
        return ngettext("%(n)s box duplicates another of the same label (IoU > %(iou)s)",
                        "%(n)s boxes duplicate another of the same label (IoU > %(iou)s)", p["n"]) % {
            "n": p["n"], "iou": f"{p['iou']:g}"}
    if code == "border_boxes":
        return _("%(n)s of %(total)s boxes touch the image border") % {"n": p["n"], "total": p["total"]}
    if code in ("low_agreement", "partial_agreement"):
        return _("agrees with the other annotators on %(share)s of boxes") % {"share": _pct(p["share"])}
    if code == "gold_failed":
        return _("gold F1 %(f1)s below the pass mark %(mark)s (%(found)s of %(gold)s gold boxes found, "
                 "%(extra)s extra)") % {"f1": _num(p["f1"], 2), "mark": _num(p["pass_mark"], 2),
                                        "found": p["found"], "gold": p["gold"], "extra": p["extra"]}
    if code == "too_fast":
        return _("%(seconds)s s per box against a project norm of %(norm)s s") % {
            "seconds": _num(p["seconds"], 1), "norm": _num(p["norm"], 1)}
    return None


def localized_flag(flag: dict) -> dict:
    params = flag.get("params")
    if not params:
        return flag
    try:
        message = _message(flag.get("code", ""), params)
    except (KeyError, TypeError, ValueError):
        message = None
    return {**flag, "message": message} if message else flag


def localized_flags(flags: list[dict] | None) -> list[dict]:
    return [localized_flag(flag) for flag in flags or []]
