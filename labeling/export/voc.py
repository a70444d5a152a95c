"""Pascal VOC layout: ``JPEGImages/``, ``Annotations/<id>.xml``, ``ImageSets/Main/default.txt``.

Boxes follow the VOC devkit convention: 1-based, inclusive pixel indices,
so ``xmin = x + 1``, ``ymin = y + 1``, ``xmax = x + width``,
``ymax = y + height`` (supervision reads it so; datumaro does with
``coordinate_mode="voc-one-based"``). Coordinates keep their fractions.
``labelmap.txt`` (datumaro's and CVAT's label list) names the project's
labels in label order, after VOC's ``background``.
"""

from array import array
from xml.sax.saxutils import escape

from labeling.export.items import Item, export_file_name

SUBSET = "default"


class VocLayout:
    name = "voc"
    images_folder = "JPEGImages/"

    def __init__(self, labels: list[tuple[int, str, str]]) -> None:
        self._name_of = {pk: name for pk, name, _ in labels}
        self._names = [name for _, name, _ in labels]
        self._image_ids = array("q")  # 8 bytes an image, for the ImageSets list

    def head(self) -> list[tuple[str, bytes]]:
        lines = ["# label:color_rgb:parts:actions", "background:0,0,0::"]
        lines += [f"{name}:{_colour(i)}::" for i, name in enumerate(self._names, start=1)]
        return [("labelmap.txt", ("\n".join(lines) + "\n").encode("utf-8"))]

    def entries(self, item: Item) -> list[tuple[str, bytes]]:
        file_name = export_file_name(item.image_id, item.stored)
        stem = file_name.rsplit(".", 1)[0]
        self._image_ids.append(item.image_id)
        objects = "".join(
            "<object>"
            f"<name>{escape(self._name_of[label_id])}</name><pose>Unspecified</pose>"
            "<truncated>0</truncated><difficult>0</difficult><occluded>0</occluded>"
            f"<bndbox><xmin>{_decimal(x + 1)}</xmin><ymin>{_decimal(y + 1)}</ymin>"
            f"<xmax>{_decimal(x + w)}</xmax><ymax>{_decimal(y + h)}</ymax></bndbox>"
            "</object>\n"
            for _, _, _, label_id, x, y, w, h in item.boxes
        )
        xml = (
            '<?xml version="1.0" encoding="utf-8"?>\n<annotation>'
            f"<folder>JPEGImages</folder><filename>{escape(file_name)}</filename>"
            "<source><database>Plateau Label</database></source>"
            f"<size><width>{item.width}</width><height>{item.height}</height><depth>3</depth></size>"
            f"<segmented>0</segmented>\n{objects}</annotation>\n"
        )
        return [(f"Annotations/{stem}.xml", xml.encode("utf-8"))]

    def tail(self) -> list[tuple[str, bytes]]:
        text = "".join(f"{image_id}\n" for image_id in self._image_ids)
        return [(f"ImageSets/Main/{SUBSET}.txt", text.encode("ascii"))]


def _decimal(value: float) -> str:
    text = f"{value:.6f}".rstrip("0")
    return text[:-1] if text.endswith(".") else text


def _colour(index: int) -> str:
    # VOC's own palette rule (bit-interleaved index), so each label has a distinct colour.
    r = g = b = 0
    for shift in range(8):
        r |= ((index >> 0) & 1) << (7 - shift)
        g |= ((index >> 1) & 1) << (7 - shift)
        b |= ((index >> 2) & 1) << (7 - shift)
        index >>= 3
    return f"{r},{g},{b}"
