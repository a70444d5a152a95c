"""``manage.py import_coco PROJECT FILE --mode pre_annotations|gold``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.errors import DomainError
from labeling.export.coco_import import MODES, coco_import
from labeling.management.lookup import find_project


class Command(BaseCommand):
    help = "Import a COCO file's boxes as pre-annotations or gold answers (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("project", help="project id or slug")
        parser.add_argument("file")
        parser.add_argument("--mode", choices=MODES, default="pre_annotations")

    def handle(self, *args, project: str, file: str, mode: str, **options):
        target = find_project(project)
        try:
            summary = coco_import(project=target, raw=Path(file).read_bytes(), mode=mode)
        except DomainError as exc:
            lines = [f"{exc.detail} ({exc.code})"]
            lines += [f"  {e['path']}: {e['code']}: {e['message']}" for e in exc.extra.get("errors", [])]
            raise CommandError("\n".join(lines)) from None
        except OSError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{target.slug}: {summary['images']} images, {summary['boxes']} boxes imported as {mode}"
        )
