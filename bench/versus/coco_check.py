"""An exported COCO file checked against what the annotators sent."""

from __future__ import annotations

import contextlib
import io
import json
import zipfile
from pathlib import Path

from bench.versus.anchor import A


def validate(path: Path, n: int, w: int, h: int) -> dict:
    """pycocotools loads it; every image's boxes equal what was sent (pixels, xywh), labels too."""
    from pycocotools.coco import COCO

    members: list[str] = []
    raw = path.read_bytes()
    if raw[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.namelist()
            raw = archive.read(next(m for m in members if m.endswith(".json")))
    data = json.loads(raw)
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO()
        coco.dataset = data
        coco.createIndex()
    names = {c["id"]: c["name"] for c in data["categories"]}
    mismatched, max_err = 0, 0.0
    for image in data["images"]:
        i = int(image["plateau"]["original_name"].rsplit("img_", 1)[1][:6])
        want = sorted(A.box_for(i, k, w, h) for k in range(3))
        got = sorted((*a["bbox"], names[a["category_id"]]) for a in coco.imgToAnns[image["id"]])
        if len(got) != 3:
            mismatched += 1
            continue
        for exp, have in zip(want, got):
            err = max(abs(a - b) for a, b in zip(exp[:4], have[:4]))
            max_err = max(max_err, err)
            mismatched += err > 0.01 or exp[4] != have[4]
    in_zip = sum(any(m.endswith("/" + im["file_name"]) for m in members) for im in data["images"]) \
        if members else None
    out = {"images": len(data["images"]), "annotations": len(data["annotations"]),
           "categories": sorted(names.values()), "bbox_mismatches": mismatched, "bbox_max_abs_err_px": max_err,
           "zip_members": len(members), "file_names_in_zip": in_zip}
    out["ok"] = (out["images"] == n and out["annotations"] == 3 * n and mismatched == 0
                 and out["categories"] == sorted(A.LABELS) and in_zip in (None, n))
    return out
