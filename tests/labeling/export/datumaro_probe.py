"""Run inside .venv-datumaro (see tests/datumaro_env.py), never by pytest directly.

    datumaro_probe.py detect PATH
    datumaro_probe.py load PATH FORMAT [IMPORT_OPTIONS_JSON]
    datumaro_probe.py to_coco PATH FORMAT OUT_DIR [IMPORT_OPTIONS_JSON]  (written with reindex)

Prints one JSON line: what datumaro detected, or the items it read (image
size from the pixels, boxes with label names), or where it wrote COCO.
"""

import json
import sys

import datumaro as dm


def _load(path: str, fmt: str, options: str | None) -> dm.Dataset:
    return dm.Dataset.import_from(path, fmt, **(json.loads(options) if options else {}))


def _items(dataset: dm.Dataset) -> list[dict]:
    labels = dataset.categories()[dm.AnnotationType.label]
    items = []
    for item in dataset:
        height, width = item.media.size
        boxes = [
            {"label": labels[ann.label].name, "bbox": list(ann.get_bbox())}
            for ann in item.annotations if ann.type == dm.AnnotationType.bbox
        ]
        items.append({"id": item.id, "subset": item.subset, "width": width, "height": height,
                      "path": item.media.path, "boxes": boxes})
    return items


def main(command: str, path: str, *rest: str) -> dict:
    if command == "detect":
        return {"formats": dm.Environment().detect_dataset(path)}
    if command == "load":
        return {"items": _items(_load(path, rest[0], rest[1] if len(rest) > 1 else None))}
    if command == "to_coco":
        dataset = _load(path, rest[0], rest[2] if len(rest) > 2 else None)
        # Ids from YOLO/VOC sources restart at each image: reindex makes them unique, as COCO needs.
        dataset.export(rest[1], "coco_instances", save_media=False, reindex=True)
        return {"out": rest[1]}
    raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:])))
