"""The same park on Label Studio 1.23.2: a project, N tasks, the people.

Start Label Studio with the anchor's scripts first
(``../shared/anchors/label-studio/``: ``setup.sh``, then ``start.sh --fresh``;
port 8081, data in /tmp/ls-data, admin token in its env.sh). Then:

    .venv/bin/python -m bench.park.ls_fill --tasks 20000 --annotators 300

Creates the project (RectangleLabels, the park's four labels), a Local Files
storage on /tmp/ls-files/park with the park's 40 distinct 640×480 JPEGs
(``bench/park/fill.py`` makes the same pictures), imports the tasks in one
request, and creates the annotators, supervisors and client through
``POST /api/users/`` (admins add people to their organisation). Label Studio
makes each new user a token but shows it only to that user once signed in:
this script reads the tokens from Label Studio's SQLite file and sets each
person's active organisation there, the stand-ins for each person signing in
once. Writes /tmp/ls-park-state.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sqlite3
import urllib.request
from pathlib import Path

from bench.park.fill import DISTINCT_FILES, HEIGHT, LABELS, WIDTH

LS = os.environ.get("LS_URL", "http://127.0.0.1:8081")
TOKEN = os.environ.get("LS_TOKEN", "0123456789abcdef0123456789abcdef01234567")
FILES = Path(os.environ.get("LS_FILES_ROOT", "/tmp/ls-files")) / "park"
DB = Path(os.environ.get("LS_DATA", "/tmp/ls-data")) / "label_studio.sqlite3"
STATE = Path("/tmp/ls-park-state.json")
CONFIG = """<View>
  <Image name="image" value="$image" zoom="true"/>
  <RectangleLabels name="label" toName="image">
%s
  </RectangleLabels>
</View>""" % "\n".join(f'    <Label value="{label}"/>' for label in LABELS)


def call(method: str, path: str, body=None, timeout: float = 600):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(LS + path, data=data, method=method, headers={
        "Authorization": f"Token {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


def pictures() -> list[str]:
    from PIL import Image as PILImage
    from PIL import ImageDraw

    FILES.mkdir(parents=True, exist_ok=True)
    names = []
    for n in range(DISTINCT_FILES):
        path = FILES / f"scene-{n:03d}.jpg"
        if not path.exists():
            rng = random.Random(n)
            picture = PILImage.new("RGB", (WIDTH, HEIGHT), (70 + n % 60, 110, 80))
            draw = ImageDraw.Draw(picture)
            for _ in range(12):
                x, y = rng.randrange(WIDTH - 60), rng.randrange(HEIGHT - 40)
                draw.ellipse((x, y, x + rng.randrange(10, 60), y + rng.randrange(8, 40)),
                             fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
            buffer = io.BytesIO()
            picture.save(buffer, "JPEG", quality=80)
            path.write_bytes(buffer.getvalue())
        names.append(path.name)
    return names


def people(prefix: str, count: int) -> list[str]:
    made = []
    for n in range(1, count + 1):
        username = f"{prefix}{n}"
        try:
            call("POST", "/api/users/", {"username": username, "email": f"{username}@park.local",
                                        "first_name": username, "password": "park-bench-password-1"})
        except urllib.error.HTTPError as exc:
            if exc.code != 400:  # 400: the user exists from an earlier run
                raise
        made.append(f"{username}@park.local")
    return made


def tokens(emails: list[str]) -> list[str]:
    with sqlite3.connect(DB) as db:
        # A user made through the API is a member of the admin's organisation but has
        # no active one until their first sign-in in the browser; without it their
        # project and export calls answer 404. Signing in would set it; so does this.
        db.execute(
            "UPDATE htx_user SET active_organization_id = (SELECT m.organization_id FROM organizations_organizationmember m"
            " WHERE m.user_id = htx_user.id AND m.deleted_at IS NULL ORDER BY m.id LIMIT 1)"
            " WHERE active_organization_id IS NULL"
        )
        found = dict(db.execute(
            "SELECT u.email, t.key FROM htx_user u JOIN authtoken_token t ON t.user_id = u.id"
        ).fetchall())
    return [found[email] for email in emails]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--annotators", type=int, default=300)
    parser.add_argument("--supervisors", type=int, default=3)
    parser.add_argument("--clients", type=int, default=1)
    args = parser.parse_args()
    names = pictures()
    project = call("POST", "/api/projects/", {"title": "park", "label_config": CONFIG})["id"]
    call("POST", "/api/storages/localfiles/", {"project": project, "title": "park images", "path": str(FILES),
                                                 "regex_filter": r".*\.jpg", "use_blob_urls": True})
    batch = [{"data": {"image": f"/data/local-files/?d=park/{names[i % len(names)]}"}} for i in range(args.tasks)]
    call("POST", f"/api/projects/{project}/import", batch)
    state = {
        "project": project,
        "annotators": tokens(people("park-annotator", args.annotators)),
        "supervisors": tokens(people("park-supervisor", args.supervisors)),
        "clients": tokens(people("park-client", args.clients)),
    }
    STATE.write_text(json.dumps(state))
    print(json.dumps({"project": project, "tasks": args.tasks, "annotators": len(state["annotators"])}))


if __name__ == "__main__":
    main()
