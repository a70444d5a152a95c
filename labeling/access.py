"""The one place that fetches protected objects, with their permission check.

Every view gets projects, tasks, images and exports through an ``access_*``
function. An object the caller may not see is reported as missing (404) so
that ids of other people's objects reveal nothing; an object they may see but
not act on gives 403.
"""

from django.contrib.auth.models import AnonymousUser

from accounts.models import Membership, User
from accounts.roles import role_allows
from config.errors import Forbidden, NotFound
from labeling.models import Export, Image, Project, Task


def project_role(user: User | AnonymousUser, project_id: int) -> str | None:
    """Return the user's role in the project, or None."""
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(project_id=project_id, user=user)
        .values_list("role", flat=True)
        .first()
    )


def has_capability(user: User | AnonymousUser, project_id: int, capability: str) -> bool:
    if user.is_authenticated and user.is_staff:
        return True
    return role_allows(project_role(user, project_id), capability)


def _require(user: User | AnonymousUser, project_id: int, capability: str, role: str | None) -> None:
    if user.is_authenticated and user.is_staff:
        return
    if role is None:
        raise NotFound("Not found.")
    if not role_allows(role, capability):
        raise Forbidden("Your role in this project does not allow this.")


def _as_id(value: object) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        raise NotFound("Not found.") from None
    if number < 1 or number > 2**63 - 1:
        raise NotFound("Not found.")
    return number


def access_project(user, project_id: object, capability: str = "project.view") -> Project:
    """Return the project if the user holds ``capability`` in it."""
    pk = _as_id(project_id)
    project = Project.objects.filter(pk=pk).first()
    if project is None:
        raise NotFound("Not found.")
    _require(user, pk, capability, project_role(user, pk))
    return project


def access_task(user, task_id: object, capability: str = "tasks.annotate") -> Task:
    """Return the task if the user may see it.

    Supervisors and clients see every task of their projects (clients read
    only); annotators see only tasks they hold a lease on or have worked on.
    ``capability`` is what the caller is about to do with it.
    """
    pk = _as_id(task_id)
    task = Task.objects.select_related("project", "image").filter(pk=pk).first()
    if task is None:
        raise NotFound("Not found.")
    if user.is_authenticated and user.is_staff:
        return task
    role = project_role(user, task.project_id)
    if role is None:
        raise NotFound("Not found.")
    if role == "annotator" and not _annotator_touches(user, task):
        raise NotFound("Not found.")
    _require(user, task.project_id, capability, role)
    return task


def _annotator_touches(user, task: Task) -> bool:
    # Annotations first: taking a lease creates one, so this usually answers.
    return (
        task.annotations.filter(annotator=user).exists()
        or task.leases.filter(annotator=user).exists()
    )


def access_image(user, image_id: object) -> Image:
    """Return the image if the user may see its task."""
    pk = _as_id(image_id)
    image = Image.objects.filter(pk=pk).select_related("task").first()
    if image is None:
        raise NotFound("Not found.")
    task = getattr(image, "task", None)
    if task is None:
        access_project(user, image.project_id, "tasks.view_all")
    else:
        access_task(user, task.pk, "images.view")
    return image


def access_export(user, export_id: object, capability: str = "exports.download") -> Export:
    pk = _as_id(export_id)
    export = Export.objects.select_related("project").filter(pk=pk).first()
    if export is None:
        raise NotFound("Not found.")
    _require(user, export.project_id, capability, project_role(user, export.project_id))
    return export
