"""Projects and their label classes."""

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.audit import Action, audit_record
from accounts.models import User
from accounts.roles import Role, roles_with
from config.errors import Conflict, Forbidden
from labeling import label_names
from labeling.access import may_create_projects
from labeling.counts import projects_with_counts
from labeling.models import LabelClass, Membership, Project, Task

PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#46f0f0", "#f032e6", "#bcf60c", "#008080"]


def _unique_slug(name: str) -> str:
    base = slugify(name)[:60] or "project"
    slug, n = base, 1
    while Project.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def project_create(*, creator: User, name: str, labels: list[dict] | None = None, **fields) -> Project:
    """Create a project with its labels; the creator supervises it."""
    if not may_create_projects(creator):
        raise Forbidden(_("Only supervisors and admins create projects."))
    slug = fields.pop("slug", None) or _unique_slug(name)
    if Project.objects.filter(slug=slug).exists():
        raise Conflict(_("A project with that slug exists."), code="slug_taken")
    project = Project.objects.create(name=name, slug=slug, created_by=creator, **fields)
    Membership.objects.create(project=project, user=creator, role=Role.SUPERVISOR)
    audit_record(
        actor=creator, action=Action.PROJECT_CREATE, project_id=project.pk,
        target_type="project", target_id=project.pk, details={"name": name, "slug": slug},
    )
    for order, label in enumerate(labels or []):
        label_create(project=project, order=order, **label)
    return project


def label_create(*, project: Project, name: str, order: int | None = None, **fields) -> LabelClass:
    if order is None:
        order = project.labels.count()
    fields.setdefault("color", PALETTE[order % len(PALETTE)])
    if "display_names" in fields:
        fields["display_names"] = label_names.clean_display_names(fields["display_names"])
    try:
        with transaction.atomic():
            return LabelClass.objects.create(project=project, name=name, order=order, **fields)
    except IntegrityError:
        raise Conflict(
            _("Label %(name)s or its hotkey already exists in this project.") % {"name": repr(name)}, code="label_exists"
        ) from None


def project_update(*, project: Project, actor: User | None = None, **fields) -> Project:
    """Change the project's settings; they apply from the next lease and the next quality check."""
    changed = {name: value for name, value in fields.items() if getattr(project, name) != value}
    with transaction.atomic():
        before = project.overlap
        for name, value in fields.items():
            setattr(project, name, value)
        project.save(update_fields=list(fields) or None)
        if project.overlap > before:
            reopen_for_overlap(project)
        if changed and actor is not None:
            audit_record(actor=actor, action=Action.PROJECT_UPDATE, project_id=project.pk, target_type="project",
                         target_id=project.pk, details={"changed": sorted(changed)})
    return project


def overlap_warning(project: Project, overlap: int | None = None) -> str | None:
    """A warning when more annotators per task are asked for than the project has.

    Allowed (people are added later), but until then no task can complete.
    """
    overlap = project.overlap if overlap is None else overlap
    annotators = project.memberships.filter(role__in=roles_with("tasks.annotate")).count()
    if overlap > annotators:
        return _(
            "Overlap %(overlap)s is more than the %(count)s annotators of this project: "
            "no task can be finished until more annotators join."
        ) % {"overlap": overlap, "count": annotators}
    return None


def project_archive(*, project: Project, actor: User, archived: bool = True) -> Project:
    """Archive (or restore) a project: it hands out no more work; nothing is deleted."""
    project.archived_at = timezone.now() if archived else None
    project.save(update_fields=["archived_at"])
    audit_record(actor=actor, action=Action.PROJECT_ARCHIVE, project_id=project.pk, target_type="project",
                 target_id=project.pk, details={"archived": archived})
    return project


def reopen_for_overlap(project: Project) -> int:
    """After overlap was raised: tasks being checked or in review that now lack
    annotators go back to the pool for the extra ones, and tasks that leases held
    full have slots again (``Task.full_until``). Returns how many went back."""
    Task.objects.filter(project=project, full_until__isnull=False).update(full_until=None)
    return Task.objects.filter(
        project=project, is_gold=False, status__in=[Task.Status.SUBMITTED, Task.Status.REVIEW],
        submitted_count__lt=project.overlap,
    ).update(status=Task.Status.OPEN)


def projects_with_progress(queryset: QuerySet[Project]) -> QuerySet[Project]:
    """Annotate the task counts of ``labeling.counts`` (one selector for every page), in one query."""
    return projects_with_counts(queryset)
