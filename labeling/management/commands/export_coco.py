"""``manage.py export_coco PROJECT --out FILE``: the same bytes as the export job."""

from labeling.management.commands.export_dataset import Command as ExportDataset


class Command(ExportDataset):
    help = "Write a project's COCO dataset (JSON, or a zip with images) to a file or stdout."
    fixed_format = "coco"
