"""``manage.py export_dataset PROJECT --format coco|yolo|voc --out FILE``: the export job's bytes."""

from django.core.management.base import BaseCommand

from labeling.export.items import SELECTIONS
from labeling.export.writer import FORMATS
from labeling.management.export_file import summary_line, write_export_to
from labeling.management.lookup import find_project


class Command(BaseCommand):
    help = ("Write a project's dataset as COCO (JSON, or a zip with images), Ultralytics YOLO "
            "or Pascal VOC (zips) to a file or stdout.")
    fixed_format: str | None = None

    def add_arguments(self, parser):
        parser.add_argument("project", help="project id or slug")
        if self.fixed_format is None:
            parser.add_argument("--format", choices=FORMATS, default="coco", dest="fmt")
        parser.add_argument("--out", required=True, help="output file, or - for stdout")
        parser.add_argument("--status", choices=SELECTIONS, default="accepted",
                            help="which tasks: accepted (default), submitted or all")
        parser.add_argument("--zero-based-categories", action="store_true",
                            help="COCO: category ids 0..K-1 in label order instead of database ids")
        parser.add_argument("--no-gold", action="store_false", dest="include_gold",
                            help="leave gold tasks (and their verified boxes) out")
        parser.add_argument("--include-images", action="store_true",
                            help="put the images (upright) into the zip; COCO: "
                                 "annotations/instances_default.json and images/default/<id>.<ext>")

    def handle(self, *args, project: str, out: str, status: str, zero_based_categories: bool,
               include_images: bool, fmt: str | None = None, include_gold: bool = True, **options):
        target = find_project(project)
        result = write_export_to(out, project=target, fmt=self.fixed_format or fmt, selection=status,
                                 zero_based_categories=zero_based_categories,
                                 include_images=include_images, include_gold=include_gold)
        self.stderr.write(summary_line(target.slug, result))
