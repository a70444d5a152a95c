"""Project memberships: who holds which role in a project.

Two rules live here and nowhere else: a member only gives roles the matrix
lets their own role grant (``accounts.roles.GRANTS``), and a project always
keeps at least one supervisor, so nobody can lock everyone out of it.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import Action, audit_record
from accounts.models import User
from accounts.organisations import addable_user
from accounts.roles import Role, role_allows, roles_with
from config.errors import Conflict, DomainError, Forbidden, NotFound
from labeling.access import grantable_roles
from labeling.models import Membership, Project


def _check_grant(*, project: Project, actor: User | None, role: str) -> None:
    if role not in Role.values:
        raise DomainError(_("Unknown role %(role)r.") % {"role": role}, code="unknown_role")
    # No actor: a management command or the demo seed, which act as the site.
    if actor is not None and role not in grantable_roles(actor, project.pk):
        raise Forbidden(_("Your role may not give the role %(role)s.") % {"role": Role(role).label},
                        code="role_not_grantable")


def _keeps_a_supervisor(*, project: Project, leaving: User) -> bool:
    """Whether a supervisor other than ``leaving`` remains; call holding the rows' locks."""
    return Membership.objects.filter(project=project).exclude(user=leaving).filter(
        role__in=[role for role in Role.values if role_allows(role, "members.manage")]
    ).exists()


@transaction.atomic
def membership_set(
    *, project: Project, username: str, role: str, actor: User | None = None
) -> tuple[Membership, bool]:
    """Give the named user ``role`` in the project; return (membership, created)."""
    _check_grant(project=project, actor=actor, role=role)
    user = addable_user(actor=actor, username=username)
    if user is None:
        # The same answer whether the name is unknown or belongs to someone the
        # actor may not add: the form does not tell who has an account.
        raise NotFound(_("No user of your organisation has that username."), code="unknown_user")
    # Every membership row of the project, locked: two supervisors demoting
    # each other at once must not leave the project with none.
    rows = dict(
        Membership.objects.select_for_update().filter(project=project).values_list("user_id", "role")
    )
    before = rows.get(user.pk)
    if (before is not None and role_allows(before, "members.manage") and not role_allows(role, "members.manage")
            and not _keeps_a_supervisor(project=project, leaving=user)):
        raise Conflict(_("A project keeps at least one supervisor: add another before changing this role."),
                       code="last_supervisor")
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


@transaction.atomic
def membership_remove(*, project: Project, user_id: int, actor: User | None = None) -> None:
    """Take a member out of the project; their past work stays, attributed to them."""
    rows = {
        m.user_id: m
        for m in Membership.objects.select_for_update().filter(project=project).select_related("user")
    }
    membership = rows.get(user_id)
    if membership is None:
        raise NotFound(_("That person is not a member of this project."), code="not_a_member")
    if actor is not None and membership.role not in grantable_roles(actor, project.pk):
        raise Forbidden(_("Your role may not remove a member with the role %(role)s.")
                        % {"role": Role(membership.role).label}, code="role_not_grantable")
    if role_allows(membership.role, "members.manage") and not _keeps_a_supervisor(
            project=project, leaving=membership.user):
        raise Conflict(_("A project keeps at least one supervisor: add another before leaving."),
                       code="last_supervisor")
    membership.delete()
    audit_record(
        actor=actor, action=Action.MEMBER_REMOVE, project_id=project.pk, target_type="user",
        target_id=user_id, details={"username": membership.user.username, "previous_role": membership.role},
    )


def members_holding(project: Project, capability: str) -> list[tuple[int, str]]:
    """(user id, username) of the project's members whose role holds ``capability``."""
    return list(
        Membership.objects.filter(project=project, role__in=roles_with(capability))
        .order_by("user__username").values_list("user_id", "user__username")
    )
