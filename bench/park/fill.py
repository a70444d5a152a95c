"""Fill the park's pool: one project, N open tasks with real image files, the people.

Rows go in with ``bulk_create`` (50,000 tasks in well under a minute); the image
bytes are a few dozen distinct 640×480 JPEGs (the Label Studio anchor's size) with
their 256 px thumbnails, shared by many Image rows: the server reads, checks and
streams a real file on every display and thumbnail request, as it does in use.

    DATABASE_URL=... MEDIA_ROOT=/tmp/park-media python -m bench.park.fill --tasks 50000 --annotators 1200

Writes the state (project id, usernames, the shared password) to ``--state``
(default bench/.park-state.json, git-ignored). Re-running tops the pool up to
``--tasks`` open tasks and adds missing people; it never deletes.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STATE = ROOT / "bench" / ".park-state.json"
SLUG = "bench-park"
LABELS = ("yak", "snow_leopard", "tibetan_antelope", "herder_tent")
WIDTH, HEIGHT = 640, 480
DISTINCT_FILES = 40
PASSWORD = "park-bench-password-1"


def _image_files() -> list[tuple[str, str, int]]:
    """(original, thumbnail, size) names in the default storage, made once."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from PIL import Image as PILImage
    from PIL import ImageDraw

    names = []
    for n in range(DISTINCT_FILES):
        original, thumb = f"bench/park/scene-{n:03d}.jpg", f"bench/park/scene-{n:03d}-thumb.jpg"
        if not default_storage.exists(original) or not default_storage.exists(thumb):
            rng = random.Random(n)
            picture = PILImage.new("RGB", (WIDTH, HEIGHT), (70 + n % 60, 110, 80))
            draw = ImageDraw.Draw(picture)
            for _ in range(12):
                x, y = rng.randrange(WIDTH - 60), rng.randrange(HEIGHT - 40)
                draw.ellipse((x, y, x + rng.randrange(10, 60), y + rng.randrange(8, 40)),
                             fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
            for name, size in ((original, None), (thumb, (256, 192))):
                buffer = io.BytesIO()
                (picture.resize(size) if size else picture).save(buffer, "JPEG", quality=80)
                if default_storage.exists(name):
                    default_storage.delete(name)
                default_storage.save(name, ContentFile(buffer.getvalue()))
        names.append((original, thumb, default_storage.size(original)))
    return names


def _people(project, prefix: str, count: int, role: str, password_hash: str) -> list[str]:
    from accounts.models import User
    from labeling.models import Membership

    names = [f"{prefix}{n}" for n in range(1, count + 1)]
    have = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    User.objects.bulk_create(User(username=name, password=password_hash) for name in names if name not in have)
    User.objects.filter(username__in=names).update(password=password_hash, is_active=True)
    users = User.objects.filter(username__in=names)
    members = set(Membership.objects.filter(project=project, user__in=users).values_list("user_id", flat=True))
    Membership.objects.bulk_create(
        Membership(project=project, user=user, role=role) for user in users if user.pk not in members
    )
    return names


def fill(*, tasks: int, annotators: int, supervisors: int = 3, clients: int = 1, gold_share: float = 0.0,
         password_hash: str | None = None, state_path: Path | None = STATE) -> dict:
    """Top the park project up to ``tasks`` open tasks and the people; return the state."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from accounts.roles import Role
    from labeling.models import Image, LabelClass, Project, Task

    started = time.perf_counter()
    project, _ = Project.objects.get_or_create(
        slug=SLUG,
        defaults={"name": "Bench: the park", "overlap": 1, "lease_seconds": 900, "gold_rate": gold_share},
    )
    for order, name in enumerate(LABELS):
        LabelClass.objects.get_or_create(project=project, name=name, defaults={"order": order, "hotkey": order + 1})
    files = _image_files()
    have = project.tasks.count()
    missing = max(0, tasks - project.tasks.filter(status="open").count())
    gold_every = int(1 / gold_share) if gold_share else 0
    batch = 5000
    for first in range(have, have + missing, batch):
        count = min(batch, have + missing - first)
        images = Image.objects.bulk_create(
            Image(project=project, file=files[(first + i) % len(files)][0],
                  thumbnail=files[(first + i) % len(files)][1], original_name=f"park-{first + i}.jpg",
                  format="JPEG", width=WIDTH, height=HEIGHT, sha256=f"{project.pk:08d}{first + i:056d}",
                  byte_size=files[(first + i) % len(files)][2], derivatives="ready")
            for i in range(count)
        )
        Task.objects.bulk_create(
            Task(project=project, image=image,
                 is_gold=bool(gold_every) and (first + i) % gold_every == 0,
                 gold_boxes=[{"label": "yak", "x": 40, "y": 40, "width": 80, "height": 60}]
                 if gold_every and (first + i) % gold_every == 0 else [])
            for i, image in enumerate(images)
        )
    # One hash for every bench person: sign-in still checks it in full on the server.
    password_hash = password_hash or make_password(PASSWORD)
    state = {
        "project": project.pk,
        "password": PASSWORD,
        "annotators": _people(project, "park-annotator", annotators, Role.ANNOTATOR, password_hash),
        "supervisors": _people(project, "park-supervisor", supervisors, Role.SUPERVISOR, password_hash),
        "clients": _people(project, "park-client", clients, Role.CLIENT, password_hash),
        "open_tasks": project.tasks.filter(status="open").count(),
        "fill_seconds": round(time.perf_counter() - started, 1),
    }
    if missing:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE labeling_task, labeling_image")
    if state_path is not None:
        state_path.write_text(json.dumps(state))
    return state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=50000, help="open tasks to top the pool up to")
    parser.add_argument("--annotators", type=int, default=1200)
    parser.add_argument("--supervisors", type=int, default=3)
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--gold", type=float, default=0.0, help="share of gold tasks in the pool")
    parser.add_argument("--state", type=Path, default=STATE)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    state = fill(tasks=args.tasks, annotators=args.annotators, supervisors=args.supervisors, clients=args.clients,
                 gold_share=args.gold, state_path=args.state)
    print(json.dumps({k: v for k, v in state.items() if not isinstance(v, list)}
                     | {"annotators": len(state["annotators"])}))


if __name__ == "__main__":
    main()
