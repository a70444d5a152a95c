"""Ultralytics YOLO layout: ``data.yaml``, ``images/train/<id>.<ext>``, ``labels/train/<id>.txt``.

One label line per box: ``class cx cy w h``, the class being the label's
0-based position in the project's label order (the ``names`` of
``data.yaml``), the four numbers normalized by the image's upright size and
written in plain decimals (datumaro's detector refuses exponents). An image
without boxes gets an empty label file ("background"). ``data.yaml`` names
``images/train`` as both ``train`` and ``val`` (Ultralytics requires both)
and has no ``path``, so Ultralytics resolves the folders next to the file.
"""

import json

from labeling.export.items import Item, export_file_name

SUBSET = "train"
# 10 decimals: a 100,000 px side still resolves 0.00001 px.
_DECIMALS = 10


class YoloLayout:
    name = "yolo"
    images_folder = f"images/{SUBSET}/"

    def __init__(self, labels: list[tuple[int, str, str]]) -> None:
        self._class_of = {pk: index for index, (pk, _, _) in enumerate(labels)}
        self._names = [name for _, name, _ in labels]

    def head(self) -> list[tuple[str, bytes]]:
        # JSON strings are YAML double-quoted scalars: any label name stays one string.
        names = "".join(f"  {i}: {json.dumps(name, ensure_ascii=False)}\n" for i, name in enumerate(self._names))
        text = (
            "# Ultralytics YOLO detection dataset written by Plateau Label.\n"
            f"train: images/{SUBSET}\nval: images/{SUBSET}\n"
            f"nc: {len(self._names)}\nnames:\n{names}"
        )
        return [("data.yaml", text.encode("utf-8"))]

    def entries(self, item: Item) -> list[tuple[str, bytes]]:
        width, height = item.width, item.height
        lines = []
        for _, _, _, label_id, x, y, w, h in item.boxes:
            numbers = ((x + w / 2) / width, (y + h / 2) / height, w / width, h / height)
            lines.append(f"{self._class_of[label_id]} " + " ".join(_decimal(v) for v in numbers) + "\n")
        stem = export_file_name(item.image_id, item.stored).rsplit(".", 1)[0]
        return [(f"labels/{SUBSET}/{stem}.txt", "".join(lines).encode("ascii"))]

    def tail(self) -> list[tuple[str, bytes]]:
        return []


def _decimal(value: float) -> str:
    text = f"{min(max(value, 0.0), 1.0):.{_DECIMALS}f}".rstrip("0")
    return text + "0" if text.endswith(".") else text
