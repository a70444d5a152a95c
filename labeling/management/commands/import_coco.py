"""``manage.py import_coco PROJECT FILE --mode pre_annotations|gold``."""

from labeling.management.commands.import_dataset import Command as ImportDataset


class Command(ImportDataset):
    help = "Import a COCO file's boxes as pre-annotations or gold answers (all or nothing)."
    fixed_format = "coco"
