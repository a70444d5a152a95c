"""One entry point for dataset imports: COCO (JSON or zip), YOLO (zip), Pascal VOC (zip)."""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from config.errors import DomainError, TooLarge
from labeling.export.coco_import import coco_import
from labeling.export.import_archive import is_zip
from labeling.export.import_plan import MODES
from labeling.export.voc_import import voc_import_plan
from labeling.export.yolo_import import yolo_import_plan
from labeling.models import Project

IMPORT_FORMATS = ("coco", "yolo", "voc")
_PLANNERS = {"yolo": yolo_import_plan, "voc": voc_import_plan}


def dataset_import(*, project: Project, raw: bytes, fmt: str, mode: str,
                   model_version: str = "imported") -> dict[str, Any]:
    """Import the file's boxes as ``mode`` (gold or pre-annotations), all or nothing."""
    if fmt not in IMPORT_FORMATS:
        raise DomainError(_("format must be one of %(IMPORT_FORMATS)s.") % {"IMPORT_FORMATS": ', '.join(IMPORT_FORMATS)}, code="invalid_format")
    if fmt == "coco":
        return coco_import(project=project, raw=raw, mode=mode, model_version=model_version)
    if mode not in MODES:
        raise DomainError(_("mode must be one of %(MODES)s.") % {"MODES": ', '.join(MODES)}, code="invalid_mode")
    limit = settings.COCO_IMPORT_MAX_BYTES
    if len(raw) > limit:
        raise TooLarge(_("The file is larger than %(limit)s bytes.") % {"limit": limit}, limit=limit)
    if not is_zip(raw):
        raise DomainError(_("A %(upper)s import is a zip of its annotation files.") % {"upper": fmt.upper()}, code=f"not_{fmt}")
    return _PLANNERS[fmt](project=project, raw=raw).apply(mode, fmt, model_version)
