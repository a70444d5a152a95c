"""Label Studio's anchor, shared by both sides: its bench.py (image generator, boxes,
percentiles) imported, not copied, and where its JPEG files live."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

ANCHOR = Path(os.environ.get("LS_ANCHOR", "/work/shared/anchors/label-studio"))
FILES_ROOT = "/tmp/ls-files"  # the anchor's LOCAL_FILES_DOCUMENT_ROOT: the same JPEG files for both


def _anchor():
    """The anchor's bench.py as a module: its image generator, boxes and percentiles, not copies."""
    spec = importlib.util.spec_from_file_location("ls_anchor_bench", ANCHOR / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


A = _anchor()
