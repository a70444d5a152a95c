"""What ``export_coco`` and ``export_dataset`` share: write one export to a path or stdout."""

import os
import sys

from django.core.files.storage import FileSystemStorage

from config.files import open_atomically
from labeling.export.writer import WriteResult, write_export


def write_export_to(out: str, **writing) -> WriteResult:
    """Write to ``out`` (``-`` for stdout); a file appears whole or not at all."""
    if out == "-":
        result = write_export(out=sys.stdout.buffer, **writing)
        sys.stdout.buffer.flush()
        return result
    folder = os.path.dirname(os.path.abspath(out))
    with open_atomically(FileSystemStorage(location=folder), os.path.basename(out)) as handle:
        return write_export(out=handle, **writing)


def summary_line(slug: str, result: WriteResult) -> str:
    return (
        f"{slug}: {result.stats.image_count} images, {result.stats.annotation_count} "
        f"boxes, {result.stats.category_count} categories, {result.byte_size} bytes, "
        f"sha256 {result.sha256}"
    )
