"""The reference model server: Label Studio's ML backend protocol over plain HTTP (stdlib only).

    python -m mlbackend.server --host 127.0.0.1 --port 9090 --model-dir /tmp/refmodel

Endpoints as in label-studio-ml 2.0.x: ``GET /health``, ``POST /setup``,
``POST /predict``, ``POST /webhook`` (``START_TRAINING`` with the accepted
annotations under ``annotations``; ``ANNOTATION_CREATED`` /
``ANNOTATION_UPDATED`` with one ``annotation`` and its ``task``), and the
older ``POST /train``. It never sees a box of an image it predicts: /predict
receives image URLs only.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
from PIL import Image, ImageOps

from mlbackend.store import ModelStore

log = logging.getLogger("mlbackend")
MAX_BODY = 100 * 1024 * 1024
MAX_IMAGE_BYTES = 200 * 1024 * 1024
TRAIN_EVENTS = ("START_TRAINING", "ANNOTATION_CREATED", "ANNOTATION_UPDATED")


def fetch_image(url: str, timeout: float = 30.0) -> np.ndarray:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (http(s) links the platform signs)
        data = response.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise ValueError("image too large")
    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    return np.asarray(image.convert("RGB"))


def boxes_of(annotation: dict) -> list[dict]:
    """An LS annotation's rectanglelabels regions in pixels."""
    out = []
    for region in annotation.get("result") or []:
        if str(region.get("type", "")).lower() != "rectanglelabels":
            continue
        value, width, height = region["value"], region["original_width"], region["original_height"]
        out.append({"label": value["rectanglelabels"][0], "x": value["x"] * width / 100,
                    "y": value["y"] * height / 100, "width": value["width"] * width / 100,
                    "height": value["height"] * height / 100})
    return out


def region_of(box: dict, width: int, height: int, control: tuple[str, str]) -> dict:
    return {"from_name": control[0], "to_name": control[1], "type": "rectanglelabels",
            "original_width": width, "original_height": height, "image_rotation": 0,
            "value": {"x": box["x"] * 100 / width, "y": box["y"] * 100 / height,
                      "width": box["width"] * 100 / width, "height": box["height"] * 100 / height,
                      "rotation": 0, "rectanglelabels": [box["label"]]},
            "score": box["score"]}


def control_names(label_config: str | None) -> tuple[str, str]:
    """The RectangleLabels ``name`` and ``toName`` of the config (defaults: label, image)."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(label_config or "")
    except ET.ParseError:
        return "label", "image"
    for element in root.iter("RectangleLabels"):
        return element.get("name", "label"), element.get("toName", "image")
    return "label", "image"


class Backend:
    def __init__(self, store: ModelStore) -> None:
        self.store = store
        self.lock = threading.Lock()

    def predict(self, body: dict) -> dict:
        control = control_names(body.get("label_config"))
        model, version = self.store.current()
        results = []
        for task in body.get("tasks") or []:
            url = (task.get("data") or {}).get("image")
            rgb = fetch_image(url)
            height, width = rgb.shape[:2]
            boxes = model.predict(rgb) if model is not None else []
            score = float(np.mean([b["score"] for b in boxes])) if boxes else None
            results.append({"result": [region_of(b, width, height, control) for b in boxes],
                            "score": score, "model_version": version})
        return {"results": results, "model_version": version}

    def train(self, annotations: list[dict]) -> dict:
        items = []
        for annotation in annotations:
            task = annotation.get("task") or {}
            url = (task.get("data") or {}).get("image")
            if not url or annotation.get("was_cancelled"):
                continue
            items.append((task.get("id"), fetch_image(url), boxes_of(annotation)))
        with self.lock:  # one training at a time; predictions keep using the previous model meanwhile
            version = self.store.train(items)
        return {"model_version": version, "trained_on": len(items)}

    def webhook(self, body: dict) -> tuple[int, dict]:
        event = body.pop("action", None)
        if event not in TRAIN_EVENTS:
            return 200, {"status": "Unknown event"}
        if event == "START_TRAINING":
            annotations = body.get("annotations")
            if not isinstance(annotations, list):
                return 400, {"status": "error", "error": "this backend needs the annotations in the event"}
        else:
            annotations = [{**body.get("annotation", {}), "task": body.get("task", {})}]
        return 201, {"status": "ok", "result": self.train(annotations)}


def make_handler(backend: Backend):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _send(self, status: int, payload) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> dict:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                raise ValueError("body too large")
            body = json.loads(self.rfile.read(length) or b"{}")
            if not isinstance(body, dict):
                raise ValueError("body must be a JSON object")
            return body

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            if self.path in ("/", "/health"):
                self._send(200, {"status": "UP", "model_class": "PlateauReferenceDetector"})
            elif self.path == "/metrics":
                self._send(200, {})
            else:
                self._send(404, {"error": "not found"})

        def do_POST(self) -> None:  # noqa: N802
            try:
                body = self._body()
                if self.path == "/setup":
                    self._send(200, {"model_version": backend.store.current()[1]})
                elif self.path == "/predict":
                    self._send(200, backend.predict(body))
                elif self.path == "/webhook":
                    self._send(*backend.webhook(body))
                elif self.path == "/train":
                    self._send(201, backend.train(body.get("annotations") or []))
                else:
                    self._send(404, {"error": "not found"})
            except Exception as exc:  # one bad request must not stop the server
                log.exception("request %s failed", self.path)
                self._send(500, {"error": f"{type(exc).__name__}: {exc}"})

        def log_message(self, fmt: str, *args) -> None:
            log.info("%s %s", self.address_string(), fmt % args)

    return Handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9090)
    parser.add_argument("--model-dir", required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    server = ThreadingHTTPServer((args.host, args.port), make_handler(Backend(ModelStore(args.model_dir))))
    print(f"mlbackend listening on http://{args.host}:{server.server_address[1]}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
