"""YOLO import (a zip: ``data.yaml`` or ``obj.names``/``classes.txt``, and label ``.txt`` files).

Our export, Ultralytics' and Roboflow's layouts all read: every ``.txt``
under a ``labels`` folder is a label file (else every ``.txt`` except the
class lists), its stem names the image (matched extension-insensitively,
``labeling/export/matching.py``). Lines are ``class cx cy w h``, normalized
by the project's upright image size; class numbers index the names.
Polygon or oriented-box lines are refused, not guessed at.
"""

from django.utils.translation import gettext as _

import math
import posixpath
from typing import Any

import yaml

from config.errors import DomainError
from labeling.export.import_archive import read_members
from labeling.export.import_plan import Plan
from labeling.models import Project

_CLASS_LISTS = ("obj.names", "classes.txt")
_NORMALIZED_TOLERANCE = 1e-6


def yolo_import_plan(*, project: Project, raw: bytes) -> Plan:
    files = read_members(raw, (".txt", ".yaml", ".yml", ".names"), fmt="yolo")
    names = _class_names(files)
    plan = Plan(project)
    in_labels = [n for n in files if n.endswith(".txt") and "labels" in n.lower().split("/")[:-1]]
    label_files = in_labels or [n for n in files if n.endswith(".txt")
                                and posixpath.basename(n).lower() not in _CLASS_LISTS]
    if not label_files:
        raise DomainError(_("The zip holds no YOLO label (.txt) files."), code="not_yolo")
    for name in sorted(label_files):
        stem = posixpath.basename(name).rsplit(".", 1)[0]
        target = plan.target(name, stem)
        if target is None:
            continue
        try:
            text = files[name].decode("utf-8")
        except UnicodeDecodeError as exc:
            plan.problems.add(name, "bad_encoding", f"Not UTF-8 text (byte {exc.start}).")
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                _line(plan, f"{name}:{number}", line.split(), names, target)
    return plan


def _line(plan: Plan, path: str, fields: list[str], names: list[str], target) -> None:
    if len(fields) != 5:
        plan.problems.add(path, "bad_line", f"A box line has 5 numbers (class cx cy w h), this one {len(fields)}.")
        return
    if not fields[0].isdigit() or int(fields[0]) >= len(names):
        plan.problems.add(path, "unknown_class", f"Class {fields[0]!r} is not one of the {len(names)} names.")
        return
    try:
        cx, cy, w, h = (float(v) for v in fields[1:])
    except ValueError:
        plan.problems.add(path, "string_not_number", f"{' '.join(fields[1:])!r} are not four numbers.")
        return
    if not all(math.isfinite(v) for v in (cx, cy, w, h)):
        plan.problems.add(path, "not_finite", "NaN or infinity where a number belongs.")
        return
    if not all(-_NORMALIZED_TOLERANCE <= v <= 1 + _NORMALIZED_TOLERANCE for v in (cx, cy, w, h)):
        plan.problems.add(path, "not_normalized", "YOLO numbers are fractions of the image size, 0 to 1.")
        return
    width, height = target.width, target.height
    plan.add_box(path, target, names[int(fields[0])], (cx - w / 2) * width, (cy - h / 2) * height,
                 w * width, h * height, tolerance=_NORMALIZED_TOLERANCE * max(width, height) + 1e-3)


def _class_names(files: dict[str, bytes]) -> list[str]:
    yamls = sorted((n for n in files if n.endswith((".yaml", ".yml"))), key=lambda n: (n.count("/"), n))
    if yamls:
        return _yaml_names(yamls[0], files[yamls[0]])
    lists = sorted((n for n in files if posixpath.basename(n).lower() in _CLASS_LISTS),
                   key=lambda n: (n.count("/"), n))
    if lists:
        return [line.strip() for line in files[lists[0]].decode("utf-8", "replace").splitlines() if line.strip()]
    raise DomainError(_("The zip has no data.yaml (nor obj.names / classes.txt) naming the classes."),
                      code="not_yolo")


def _yaml_names(path: str, raw: bytes) -> list[str]:
    try:
        data: Any = yaml.safe_load(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DomainError(_("%(path)s is not readable YAML (%(name)s).") % {"path": path, "name": type(exc).__name__}, code="not_yolo") from None
    names = data.get("names") if isinstance(data, dict) else None
    if isinstance(names, dict) and all(isinstance(k, int) for k in names) \
            and sorted(names) == list(range(len(names))):
        names = [names[k] for k in range(len(names))]
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise DomainError(_("%(path)s needs 'names': a list of class names (or 0..N-1 to names).") % {"path": path},
                          code="not_yolo")
    return names
