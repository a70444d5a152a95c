"""Project memberships: who holds which role in a project."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import Action, audit_record
from accounts.models import User
from accounts.organisations import addable_user
from accounts.roles import Role
from config.errors import DomainError, NotFound
from labeling.models import Membership, Project


@transaction.atomic
def membership_set(
    *, project: Project, username: str, role: str, actor: User | None = None
) -> tuple[Membership, bool]:
    """Give the named user ``role`` in the project; return (membership, created)."""
    if role not in Role.values:
        raise DomainError(_("Unknown role %(role)s.") % {"role": repr(role)}, code="unknown_role")
    user = addable_user(actor=actor, username=username)
    if user is None:
        # The same answer whether the name is unknown or belongs to someone the
        # actor may not add: the form does not tell who has an account.
        raise NotFound(_("No user of your organisation has that username."), code="unknown_user")
    before = (
        Membership.objects.select_for_update()
        .filter(project=project, user=user)
        .values_list("role", flat=True)
        .first()
    )
    membership, created = Membership.objects.update_or_create(
        project=project, user=user, defaults={"role": role}
    )
    if created or before != role:
        audit_record(
            actor=actor,
            action=Action.MEMBER_ADD if created else Action.MEMBER_ROLE,
            project_id=project.pk,
            target_type="user",
            target_id=user.pk,
            details={"username": user.username, "role": role, "previous_role": before},
        )
    return membership, created
