"""Pascal VOC import (a zip of ``.xml`` annotation files, ``Annotations/`` in the VOC layout).

Each XML names its image in ``<filename>`` (else the XML's stem is used),
matched by the rules of ``labeling/export/matching.py``. A ``<size>``, when
given, must be the project's upright size. Boxes are read in the VOC devkit
convention our export writes (1-based, inclusive: ``x = xmin - 1``,
``width = xmax - xmin + 1``); a writer using 0-based corners lands at most
one pixel off, and a corner at -1 (its 0) is taken as the image edge.
XML is parsed with defusedxml: no entities, no external references.
"""

from django.utils.translation import gettext as _

import math
import posixpath

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from config.errors import DomainError
from labeling.export.import_archive import read_members
from labeling.export.import_plan import Plan
from labeling.models import Project

_EDGE = 1.0


def voc_import_plan(*, project: Project, raw: bytes) -> Plan:
    files = read_members(raw, (".xml",), fmt="voc")
    if not files:
        raise DomainError(_("The zip holds no VOC annotation (.xml) files."), code="not_voc")
    plan = Plan(project)
    for name in sorted(files):
        try:
            root = ElementTree.fromstring(files[name])
        except (ElementTree.ParseError, DefusedXmlException, ValueError) as exc:
            plan.problems.add(name, "bad_xml", f"Not readable XML: {exc}.")
            continue
        if root.tag != "annotation":
            plan.problems.add(name, "bad_xml", f"The root element is <{root.tag}>, VOC's is <annotation>.")
            continue
        file_name = (root.findtext("filename") or "").strip()
        stem = posixpath.basename(name).rsplit(".", 1)[0]
        target = plan.target(name, file_name or stem)
        if target is None:
            continue
        size = root.find("size")
        if size is not None and not _size_agrees(plan, name, size, target):
            continue
        for k, element in enumerate(root.findall("object")):
            _object(plan, f"{name}/object[{k}]", element, target)
    return plan


def _number(plan: Plan, path: str, text: str | None) -> float | None:
    try:
        value = float((text or "").strip())
    except ValueError:
        plan.problems.add(path, "string_not_number", f"{text!r} is where a number belongs.")
        return None
    if not math.isfinite(value):
        plan.problems.add(path, "not_finite", f"{text.strip()} is not a finite number.")
        return None
    return value


def _size_agrees(plan: Plan, name: str, size, target) -> bool:
    width = _number(plan, f"{name}/size/width", size.findtext("width"))
    height = _number(plan, f"{name}/size/height", size.findtext("height"))
    if width is None or height is None:
        return False
    if (width, height) != (target.width, target.height):
        plan.problems.add(f"{name}/size", "size_mismatch",
                          f"The file says {width:g}x{height:g}, the project's image "
                          f"{target.original_name!r} is {target.width}x{target.height}.")
        return False
    return True


def _object(plan: Plan, path: str, element, target) -> None:
    label = (element.findtext("name") or "").strip()
    box = element.find("bndbox")
    if box is None:
        plan.problems.add(path, "bad_bbox", "An object needs a <bndbox>.")
        return
    corners = [_number(plan, f"{path}/bndbox/{tag}", box.findtext(tag)) for tag in ("xmin", "ymin", "xmax", "ymax")]
    if any(value is None for value in corners):
        return
    xmin, ymin, xmax, ymax = corners
    x, y = xmin - 1, ymin - 1
    plan.add_box(path, target, label, x, y, xmax - x, ymax - y, tolerance=_EDGE)
