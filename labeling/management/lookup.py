"""Arguments the management commands share."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from labeling.models import Project


def find_project(value: str) -> Project:
    """A project by slug or id, or a CommandError naming what was asked for."""
    project = Project.objects.filter(slug=value).first()
    if project is None and value.isdigit():
        project = Project.objects.filter(pk=int(value)).first()
    if project is None:
        raise CommandError(_("No project with id or slug %(value)s.") % {"value": repr(value)})
    return project
