"""A model server on loopback that answers with recorded Label Studio ML backend responses.

Each test queues the answers (status, body or raw bytes, optional delay via an
event to wait on) per path; every request is recorded for the test to read.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeBackend:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.answers: dict[str, list] = {}
        self.release = threading.Event()
        self.release.set()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self, body: bytes | None) -> None:
                owner.requests.append({"method": self.command, "path": self.path,
                                       "headers": dict(self.headers), "json": json.loads(body) if body else None})
                queue = owner.answers.get(self.path) or [(200, {"status": "UP"} if self.path == "/health" else {})]
                status, payload = queue.pop(0) if len(queue) > 1 else queue[0]
                if payload == "HANG":
                    owner.release.wait(10)
                    return
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802
                self._answer(None)

            def do_POST(self):  # noqa: N802
                self._answer(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeBackend":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def calls(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["path"] == path]
