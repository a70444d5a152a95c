"""``manage.py import_dataset PROJECT FILE --format coco|yolo|voc --mode pre_annotations|gold``."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from config.errors import DomainError
from labeling.export.dataset_import import IMPORT_FORMATS, dataset_import
from labeling.export.import_plan import MODES
from labeling.management.lookup import find_project


class Command(BaseCommand):
    help = ("Import a dataset's boxes (COCO JSON or zip, YOLO zip, Pascal VOC zip) as "
            "pre-annotations or gold answers (all or nothing).")
    fixed_format: str | None = None

    def add_arguments(self, parser):
        parser.add_argument("project", help="project id or slug")
        parser.add_argument("file")
        parser.add_argument("--mode", choices=MODES, default="pre_annotations")
        parser.add_argument("--model-version", help="pre-annotations: their model version (default: the file name)")
        if self.fixed_format is None:
            parser.add_argument("--format", choices=IMPORT_FORMATS, default="coco", dest="fmt")

    def handle(self, *args, project: str, file: str, mode: str, fmt: str | None = None,
               model_version: str | None = None, **options):
        target = find_project(project)
        fmt = self.fixed_format or fmt
        path = Path(file)
        try:
            # The size is checked before the file is read, as over the API.
            if path.stat().st_size > settings.COCO_IMPORT_MAX_BYTES:
                raise CommandError(_("%(file)s is larger than %(COCO_IMPORT_MAX_BYTES)s bytes (too_large)") % {"file": file, "COCO_IMPORT_MAX_BYTES": settings.COCO_IMPORT_MAX_BYTES})
            summary = dataset_import(project=target, raw=path.read_bytes(), fmt=fmt, mode=mode,
                                     model_version=model_version or path.name)
        except DomainError as exc:
            lines = [f"{exc.detail} ({exc.code})"]
            lines += [f"  {e['path']}: {e['code']}: {e['message']}" for e in exc.extra.get("errors", [])]
            raise CommandError("\n".join(lines)) from None
        except OSError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _("%(project)s: %(images)s images, %(boxes)s boxes imported as %(mode)s")
            % {"project": target.slug, "images": summary["images"], "boxes": summary["boxes"], "mode": mode}
        )
