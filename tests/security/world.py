"""The world the permission tests run in: two projects, one user per role."""

import secrets
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone

from accounts.organisations import organisation_join
from accounts.roles import Role
from config.errors_views import api_not_found
from labeling.models import Annotation, Export, Lease
from tests.factories import PASSWORD, add_member, make_project, make_task, make_user, png_bytes
from tests.security.permission_matrix import Row

MISSING_ID = 999_999_999


class World:
    """Two projects with a task, image, label and finished export each, and one user per role."""

    password = PASSWORD

    def __init__(self):
        tag = secrets.token_hex(4)
        self.sides, self.markers = {}, {}
        for side in ("own", "other"):
            letter = "A" if side == "own" else "B"
            project = make_project(f"Secret-{letter}-{tag}", labels=(f"label-{letter}-{tag}",))
            task = make_task(project)
            image = task.image
            image.original_name = f"img-{letter}-{tag}.png"
            image.save(update_fields=["original_name"])
            export = Export.objects.create(project=project, version=1, state=Export.State.DONE, progress=100)
            export.file.save(f"exports/{project.pk}/v1.json", ContentFile(b'{"images": []}'))
            self.sides[side] = {
                "project": project.pk, "task": task.pk, "image": image.pk, "export": export.pk,
                "label": project.labels.get().pk, "objects": (project, task),
            }
            self.markers[side] = [project.name, f"label-{letter}-{tag}", image.original_name, image.sha256]
        project_a, task_a = self.sides["own"]["objects"]
        project_b, _ = self.sides["other"]["objects"]
        self.users = {"anonymous": None, "admin": make_user(f"admin-{tag}", is_staff=True, is_superuser=True)}
        for role, project, membership in [
            ("annotator", project_a, Role.ANNOTATOR), ("leased", project_a, Role.ANNOTATOR),
            ("supervisor", project_a, Role.SUPERVISOR), ("client", project_a, Role.CLIENT),
            ("outsider", project_b, Role.ANNOTATOR), ("other_client", project_b, Role.CLIENT),
        ]:
            user = make_user(f"{role}-{tag}")
            # One organisation: the supervisor may add any of them (accounts/organisations.py).
            organisation_join(user, f"World-{tag}")
            add_member(project, user, membership)
            self.users[role] = user
        Lease.objects.create(task=task_a, annotator=self.users["leased"], expires_at=timezone.now() + timedelta(hours=1))
        # Taking a lease opens the annotator's draft (labeling.assignment does both).
        Annotation.objects.create(task=task_a, annotator=self.users["leased"])
        self.sides["missing"] = {k: MISSING_ID for k in ("project", "task", "image", "export", "label")}
        for side in self.sides.values():
            side["user"] = self.users["annotator"].pk

    def url(self, row: Row, side: str) -> str:
        return row.route.format(**self.sides[side])

    def png_upload(self):
        return SimpleUploadedFile("upload.png", png_bytes(color=(1, 2, 3)), content_type="image/png")


def route_exists(path: str) -> bool:
    """False for paths that only the JSON catch-all (or nothing) answers."""
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.func is not api_not_found
