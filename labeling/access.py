"""The permission gate: who may see and do what, asked by every page, API view and report.

The matrix (role -> capabilities) is data in ``accounts/roles.py``; this module
is the only code that reads a user's role and decides with it. Every view gets
projects, tasks, images and exports through an ``access_*`` function, and lists
through ``visible_*``. An object the caller may not see is reported as missing
(404) so that ids of other people's objects reveal nothing; an object they may
see but not act on gives 403. Staff admins hold every capability everywhere.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import CAPABILITIES, Role, role_allows, role_grants, roles_with
from config.errors import Forbidden, NotFound
from config.rows import Reader, fetchone
from labeling.models import Annotation, Export, Image, Lease, Membership, Project, Task


def project_role(user: User | AnonymousUser, project_id: int) -> str | None:
    """Return the user's role in the project, or None."""
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(project_id=project_id, user=user)
        .values_list("role", flat=True)
        .first()
    )


def project_roles(user: User | AnonymousUser) -> dict[int, str]:
    """Project id -> the user's role there, for every project they belong to."""
    if not user.is_authenticated:
        return {}
    return dict(Membership.objects.filter(user=user).values_list("project_id", "role"))


def capabilities_held(user: User | AnonymousUser, role: str | None) -> frozenset[str]:
    """What a user with ``role`` in a project may do there (everything for admins)."""
    if user.is_authenticated and user.is_staff:
        return frozenset(CAPABILITIES)
    return frozenset(capability for capability in CAPABILITIES if role_allows(role, capability))


def grantable_roles(user: User | AnonymousUser, project_id: int) -> frozenset[str]:
    """The roles ``user`` may give to members of the project (every role for admins)."""
    if not user.is_authenticated:
        return frozenset()
    if user.is_staff:
        return frozenset(Role.values)
    role = project_role(user, project_id)
    return role_grants(role) if role_allows(role, "members.manage") else frozenset()


def may_create_projects(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_staff or user.memberships.filter(role__in=roles_with("projects.create")).exists()


def visible_projects(user: User | AnonymousUser) -> QuerySet[Project]:
    """Projects the user belongs to (every project for staff admins)."""
    if not user.is_authenticated:
        return Project.objects.none()
    if user.is_staff:
        return Project.objects.all()
    return Project.objects.filter(memberships__user=user).distinct()


def visible_tasks(user: User, project: Project) -> QuerySet[Task]:
    """Tasks of the project the user may list: all of them, or only those they took.

    A lease always creates the annotator's annotation row, so one indexed join
    finds "those they took", without DISTINCT.
    """
    tasks = Task.objects.filter(project=project)
    if has_capability(user, project.pk, "tasks.read_all"):
        return tasks
    return tasks.filter(annotations__annotator=user)


def _role_subquery(user: User, project_ref: str) -> Subquery:
    return Subquery(
        Membership.objects.filter(project_id=OuterRef(project_ref), user=user).order_by("id").values("role")[:1]
    )


def has_capability(user: User | AnonymousUser, project_id: int, capability: str) -> bool:
    if user.is_authenticated and user.is_staff:
        return True
    return role_allows(project_role(user, project_id), capability)


def task_has_capability(user: User | AnonymousUser, task: Task, capability: str) -> bool:
    """``has_capability`` on the task's project, reusing the role ``access_task`` read with the task."""
    if user.is_authenticated and user.is_staff:
        return True
    known = getattr(task, "_viewer_role", None)
    role = known[1] if known is not None and known[0] == user.pk else project_role(user, task.project_id)
    return role_allows(role, capability)


def _require(user: User | AnonymousUser, project_id: int, capability: str, role: str | None) -> None:
    if user.is_authenticated and user.is_staff:
        return
    if role is None:
        raise NotFound(_("Not found."))
    if not role_allows(role, capability):
        raise Forbidden(_("Your role in this project does not allow this."))


def _as_id(value: object) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        raise NotFound(_("Not found.")) from None
    if number < 1 or number > 2**63 - 1:
        raise NotFound(_("Not found."))
    return number


def access_project(user, project_id: object, capability: str = "project.view") -> Project:
    """Return the project if the user holds ``capability`` in it."""
    pk = _as_id(project_id)
    projects = Project.objects.filter(pk=pk)
    if user.is_authenticated:
        # The caller's role comes with the row: one round trip, not two.
        projects = projects.annotate(_role=_role_subquery(user, "pk"))
    project = projects.first()
    if project is None:
        raise NotFound(_("Not found."))
    _require(user, pk, capability, getattr(project, "_role", None))
    return project


_task, _project, _image = Reader(Task, "t"), Reader(Project, "p"), Reader(Image, "i")
_TASK_SQL = (
    f"SELECT {_task.columns}, {_project.columns}, {_image.columns},"
    f" (SELECT m.role FROM {Membership._meta.db_table} m WHERE m.project_id = t.project_id"
    " AND m.user_id = %(user)s ORDER BY m.id LIMIT 1),"
    f" (EXISTS (SELECT 1 FROM {Annotation._meta.db_table} a WHERE a.task_id = t.id AND a.annotator_id = %(user)s)"
    f" OR EXISTS (SELECT 1 FROM {Lease._meta.db_table} l WHERE l.task_id = t.id AND l.annotator_id = %(user)s))"
    f" FROM {_task.table} t JOIN {_project.table} p ON p.id = t.project_id JOIN {_image.table} i ON i.id = t.image_id"
    " WHERE t.id = %(task)s"
)


def access_task(user, task_id: object, capability: str = "tasks.annotate") -> Task:
    """Return the task (with its project and image) if the user may see it.

    Roles holding "tasks.read_all" see every task of their projects; the
    others only tasks they hold a lease on or have worked on.
    ``capability`` is what the caller is about to do with it.
    """
    pk = _as_id(task_id)
    # Every annotator call starts here: plain SQL (see config/rows.py), with
    # the caller's role and "has this annotator touched the task" in the row.
    row = fetchone(_TASK_SQL, {"task": pk, "user": user.pk if user.is_authenticated else None})
    if row is None:
        raise NotFound(_("Not found."))
    task = _task.build(row)
    task.project = _project.build(row, len(_task))
    task.image = _image.build(row, len(_task) + len(_project))
    if user.is_authenticated and user.is_staff:
        return task
    role, touched = row[-2], bool(row[-1])
    if role is None:
        raise NotFound(_("Not found."))
    if not touched and not role_allows(role, "tasks.read_all"):
        raise NotFound(_("Not found."))
    _require(user, task.project_id, capability, role)
    task._viewer_role = (user.pk, role)
    return task


def access_image(user, image_id: object) -> Image:
    """Return the image if the user may see its task."""
    pk = _as_id(image_id)
    image = Image.objects.filter(pk=pk).select_related("task").first()
    if image is None:
        raise NotFound(_("Not found."))
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
        raise NotFound(_("Not found."))
    _require(user, export.project_id, capability, project_role(user, export.project_id))
    return export
