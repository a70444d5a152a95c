"""``manage.py export_coco PROJECT --out FILE``: the same bytes as the export job."""

import os
import sys

from django.core.files.storage import FileSystemStorage
from django.core.management.base import BaseCommand

from config.files import open_atomically
from labeling.export.coco import SELECTIONS
from labeling.export.writer import write_export
from labeling.management.lookup import find_project



class Command(BaseCommand):
    help = "Write a project's COCO dataset (JSON, or a zip with images) to a file or stdout."

    def add_arguments(self, parser):
        parser.add_argument("project", help="project id or slug")
        parser.add_argument("--out", required=True, help="output file, or - for stdout")
        parser.add_argument("--status", choices=SELECTIONS, default="accepted",
                            help="which tasks: accepted (default), submitted or all")
        parser.add_argument("--zero-based-categories", action="store_true",
                            help="category ids 0..K-1 in label order instead of database ids")
        parser.add_argument("--include-images", action="store_true",
                            help="write a zip with annotations.json and images/<id>.<ext>")

    def handle(self, *args, project: str, out: str, status: str, zero_based_categories: bool,
               include_images: bool, **options):
        target = find_project(project)
        writing = {"project": target, "selection": status,
                   "zero_based_categories": zero_based_categories, "include_images": include_images}
        if out == "-":
            result = write_export(out=sys.stdout.buffer, **writing)
            sys.stdout.buffer.flush()
        else:
            folder = os.path.dirname(os.path.abspath(out))
            with open_atomically(FileSystemStorage(location=folder), os.path.basename(out)) as handle:
                result = write_export(out=handle, **writing)
        self.stderr.write(
            f"{target.slug}: {result.stats.image_count} images, {result.stats.annotation_count} "
            f"boxes, {result.stats.category_count} categories, {result.byte_size} bytes, "
            f"sha256 {result.sha256}"
        )
