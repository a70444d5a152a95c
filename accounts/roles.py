"""Project roles and what each may do: the role matrix as data.

This is one half of the permission gate. The other half, ``labeling/access.py``,
reads a user's role in a project and asks ``role_allows``; nothing else in the
code compares role names. Staff admins hold every capability in every project.
"""

from django.db import models


class Role(models.TextChoices):
    ANNOTATOR = "annotator", "Annotator"
    SUPERVISOR = "supervisor", "Supervisor"
    CLIENT = "client", "Client"


# Capability -> roles of a project that hold it. Staff admins hold every one.
CAPABILITIES: dict[str, frozenset[str]] = {
    "project.view": frozenset({Role.ANNOTATOR, Role.SUPERVISOR, Role.CLIENT}),
    "project.manage": frozenset({Role.SUPERVISOR}),
    # Supervising any project lets a user start new ones.
    "projects.create": frozenset({Role.SUPERVISOR}),
    "members.manage": frozenset({Role.SUPERVISOR}),
    "images.upload": frozenset({Role.SUPERVISOR}),
    "images.view": frozenset({Role.ANNOTATOR, Role.SUPERVISOR, Role.CLIENT}),
    # Listing a project's images (with GPS and capture time) is not for annotators.
    "images.list": frozenset({Role.SUPERVISOR, Role.CLIENT}),
    "tasks.annotate": frozenset({Role.ANNOTATOR}),
    # Reading every task of the project; without it, only the tasks one leased or worked on.
    "tasks.read_all": frozenset({Role.SUPERVISOR, Role.CLIENT}),
    "tasks.view_all": frozenset({Role.SUPERVISOR}),
    "tasks.assign": frozenset({Role.SUPERVISOR}),
    "review.work": frozenset({Role.SUPERVISOR}),
    "stats.view": frozenset({Role.SUPERVISOR}),
    "exports.create": frozenset({Role.SUPERVISOR, Role.CLIENT}),
    "exports.download": frozenset({Role.SUPERVISOR, Role.CLIENT}),
    "energy.report": frozenset({Role.SUPERVISOR, Role.CLIENT}),
    # The green report's per-annotator figures: supervisors manage people; a client
    # buys a dataset, not a view of who worked how long.
    "energy.people": frozenset({Role.SUPERVISOR}),
    "audit.view": frozenset({Role.SUPERVISOR}),
    # Model boxes on tasks; clients read datasets, not model guesses.
    "predictions.view": frozenset({Role.ANNOTATOR, Role.SUPERVISOR}),
    # ML backends, prediction and training runs, model quality.
    "models.manage": frozenset({Role.SUPERVISOR}),
    # Listing gold tasks, marking and unmarking them, and everyone's results on them.
    "gold.manage": frozenset({Role.SUPERVISOR}),
}


# Roles a member may give others, by the member's own role (with "members.manage").
# Staff admins give any role. Spelled out so that a narrower grant (say, a
# "lead" who may add annotators only) is one line here.
GRANTS: dict[str, frozenset[str]] = {
    Role.SUPERVISOR: frozenset({Role.ANNOTATOR, Role.SUPERVISOR, Role.CLIENT}),
}


def role_grants(role: str | None) -> frozenset[str]:
    """The roles a member with ``role`` may give to others in the same project."""
    return GRANTS.get(role, frozenset()) if role is not None else frozenset()


def role_allows(role: str | None, capability: str) -> bool:
    """Return True when a member with ``role`` holds ``capability``."""
    if capability not in CAPABILITIES:
        raise KeyError(f"unknown capability {capability!r}")
    return role is not None and role in CAPABILITIES[capability]


def roles_with(capability: str) -> frozenset[str]:
    """The roles holding ``capability`` (for queries that filter memberships by role)."""
    if capability not in CAPABILITIES:
        raise KeyError(f"unknown capability {capability!r}")
    return CAPABILITIES[capability]
