"""Factories and named fixtures shared by the suite."""

import hashlib
import io
import itertools

import pytest
from django.core.files.base import ContentFile
from PIL import Image as PILImage
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import User
from accounts.organisations import organisation_join
from accounts.roles import Role
from labeling.models import Image, LabelClass, Membership, Project, Task

_seq = itertools.count(1)
PASSWORD = "plateau-test-pass-9"


def make_user(username: str | None = None, *, is_staff: bool = False, **fields) -> User:
    username = username or f"user{next(_seq)}"
    user = User(username=username, is_staff=is_staff, **fields)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_project(name: str | None = None, *, labels=("yak", "snow_leopard", "tibetan_antelope"), **fields) -> Project:
    n = next(_seq)
    project = Project.objects.create(name=name or f"Project {n}", slug=f"project-{n}", **fields)
    for order, label in enumerate(labels):
        LabelClass.objects.create(project=project, name=label, order=order, hotkey=order + 1 if order < 9 else None)
    return project


def same_organisation(*users: User, name: str = "Test organisation") -> None:
    """Put the users in one organisation: supervisors add only people of their own."""
    for user in users:
        organisation_join(user, name)


def add_member(project: Project, user: User, role: str) -> Membership:
    return Membership.objects.create(project=project, user=user, role=role)


def png_bytes(width: int = 64, height: int = 48, color=(40, 120, 60)) -> bytes:
    buf = io.BytesIO()
    PILImage.new("RGB", (width, height), color).save(buf, "PNG")
    return buf.getvalue()


def make_task(project: Project, *, width: int = 640, height: int = 480, **task_fields) -> Task:
    """A task with a real (small) stored image that claims the given size."""
    n = next(_seq)
    data = png_bytes(color=(n % 256, 90, 60))
    sha = hashlib.sha256(data + str(n).encode()).hexdigest()
    image = Image(project=project, width=width, height=height, sha256=sha, byte_size=len(data), format="PNG",
                  original_name=f"img{n}.png")
    image.file.save(f"img{n}.png", ContentFile(data), save=False)
    image.save()
    return Task.objects.create(project=project, image=image, **task_fields)


def api_client(user: User | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def project(db) -> Project:
    return make_project("Qinghai Lake survey")


@pytest.fixture
def other_project(db) -> Project:
    return make_project("Other survey")


@pytest.fixture
def admin_user(db) -> User:
    return make_user("admin", is_staff=True, is_superuser=True)


@pytest.fixture
def supervisor(project) -> User:
    user = make_user("supervisor")
    add_member(project, user, Role.SUPERVISOR)
    return user


@pytest.fixture
def annotator(project) -> User:
    user = make_user("annotator")
    add_member(project, user, Role.ANNOTATOR)
    return user


@pytest.fixture
def client_user(project) -> User:
    user = make_user("client")
    add_member(project, user, Role.CLIENT)
    return user


@pytest.fixture
def outsider(other_project) -> User:
    """An annotator of another project: an attacker from this project's view."""
    user = make_user("outsider")
    add_member(other_project, user, Role.ANNOTATOR)
    return user


@pytest.fixture
def other_client(other_project) -> User:
    user = make_user("other_client")
    add_member(other_project, user, Role.CLIENT)
    return user


__all__ = [
    "PASSWORD",
    "add_member",
    "admin_user",
    "annotator",
    "api_client",
    "client_user",
    "make_project",
    "make_task",
    "make_user",
    "other_client",
    "other_project",
    "outsider",
    "png_bytes",
    "project",
    "same_organisation",
    "supervisor",
]
