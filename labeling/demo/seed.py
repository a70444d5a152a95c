"""The demo project: generated plateau scenes with their true boxes as gold."""

import hashlib
import io
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db import transaction

from accounts.models import User
from accounts.organisations import DEMO_ORGANISATION, organisation_join
from accounts.roles import Role
from config.broker import enqueue_on_commit
from labeling.demo.exif import exif_bytes, gps_for_seed
from labeling.demo.scenes import LABELS, render_scene
from labeling.jobs import image_derivatives
from labeling.models import Image, LabelClass, Membership, Project, Task

DEMO_SLUG = "qinghai-lake-survey"
DEMO_NAME = "Qinghai Lake survey"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class SeedResult:
    project: Project
    created_images: int = 0
    passwords: dict[str, str] = field(default_factory=dict)  # only for users created now


def _ensure_user(username: str, password: str | None, result: SeedResult, **fields) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        chosen = password or secrets.token_urlsafe(9)
        user = User(username=username, **fields)
        user.set_password(chosen)
        user.save()
        result.passwords[username] = chosen
    elif password:
        user.set_password(password)
        user.save(update_fields=["password"])
        result.passwords[username] = password
    return user


def demo_exists(images: int) -> bool:
    """True once the demo project holds at least `images` images: seeding again would add nothing."""
    project = Project.objects.filter(slug=DEMO_SLUG).first()
    return project is not None and project.images.count() >= images


def _ensure_project() -> Project:
    project, _ = Project.objects.get_or_create(
        slug=DEMO_SLUG,
        defaults={
            "name": DEMO_NAME,
            "description": "Drone survey of the Qinghai Lake shores: yaks, snow leopards, "
            "Tibetan antelope, herders' tents.",
            "overlap": 2,
            "gold_rate": 0.1,
        },
    )
    for order, label in enumerate(LABELS):
        created, _new = LabelClass.objects.get_or_create(
            project=project,
            name=label["name"],
            defaults={
                "supercategory": label["supercategory"],
                "color": label["color"],
                "hotkey": label["hotkey"],
                "order": order,
                "display_names": label["display_names"],
            },
        )
        # A demo seeded before labels had display names gets them; edited ones stay.
        if not created.display_names:
            created.display_names = label["display_names"]
            created.save(update_fields=["display_names"])
    return project


def _scene_jpeg(seed: int, index: int, width: int, height: int) -> tuple[bytes, list[dict], tuple]:
    scene = render_scene(seed * 100_003 + index, width, height)
    lat, lon, alt = gps_for_seed(seed * 100_003 + index)
    taken = datetime(2026, 7, 1, 9, 0, tzinfo=SHANGHAI) + timedelta(minutes=7 * index)
    buf = io.BytesIO()
    scene.image.save(
        buf,
        "JPEG",
        quality=88,
        exif=exif_bytes(latitude=lat, longitude=lon, altitude_m=alt, taken_at=taken.replace(tzinfo=None)),
    )
    boxes = [
        {"label": b.label, "x": b.x, "y": b.y, "width": b.width, "height": b.height}
        for b in scene.boxes
    ]
    return buf.getvalue(), boxes, (lat, lon, alt, taken)


def seed_demo(
    *,
    images: int = 12,
    seed: int = 7,
    annotators: int = 2,
    password: str | None = None,
    width: int = 1600,
    height: int = 1200,
    progress: Callable[[int, int], None] | None = None,
) -> SeedResult:
    """Create (or complete) the demo project; running it again changes nothing.

    Every ``1 / gold_rate``-th scene is a gold task whose answer is the
    scene's true boxes.
    """
    project = _ensure_project()
    result = SeedResult(project=project)
    people = [(f"annotator{i}", Role.ANNOTATOR) for i in range(1, annotators + 1)]
    people += [("supervisor1", Role.SUPERVISOR), ("client1", Role.CLIENT)]
    for username, role in people:
        user = _ensure_user(username, password, result)
        # One organisation, so that supervisor1 can add the others to new projects.
        organisation_join(user, DEMO_ORGANISATION)
        Membership.objects.get_or_create(project=project, user=user, defaults={"role": role})
    gold_every = max(1, round(1 / project.gold_rate)) if project.gold_rate else 0
    for index in range(images):
        name = f"qinghai_s{seed}_{index + 1:04d}.jpg"
        # A scene already stored under its seeded name need not be rendered again.
        if Image.objects.filter(project=project, original_name=name).exists():
            if progress:
                progress(index + 1, images)
            continue
        data, boxes, (lat, lon, alt, taken) = _scene_jpeg(seed, index, width, height)
        sha = hashlib.sha256(data).hexdigest()
        if not Image.objects.filter(project=project, sha256=sha).exists():
            _store_scene(project, name, index, data, sha, boxes, lat, lon, alt, taken, width, height, gold_every)
            result.created_images += 1
        if progress:
            progress(index + 1, images)
    return result


@transaction.atomic
def _store_scene(project, name, index, data, sha, boxes, lat, lon, alt, taken, width, height, gold_every) -> None:
    image = Image(
        project=project,
        original_name=name,
        format="JPEG",
        width=width,
        height=height,
        sha256=sha,
        byte_size=len(data),
        gps_latitude=lat,
        gps_longitude=lon,
        gps_altitude=alt,
        captured_at=taken,
    )
    image.file.save(f"{sha}.jpg", ContentFile(data), save=False)
    image.save()
    is_gold = bool(gold_every) and index % gold_every == gold_every - 1
    Task.objects.create(project=project, image=image, is_gold=is_gold, gold_boxes=boxes)
    enqueue_on_commit(image_derivatives, image.pk)
