"""Who a supervisor may add to a project: people of their own organisation.

An organisation is a Django auth group (admins keep them in /admin/, under
Groups). A supervisor may add an active, non-staff user who shares a group
with them; admins may add anyone active. Anyone else is answered exactly like
a username that does not exist, so the members form cannot be used to find
out who has an account, and no supervisor can pull an admin into a project.
"""

from django.contrib.auth.models import Group

from accounts.models import User

DEMO_ORGANISATION = "Plateau demo"


def addable_user(*, actor: User | None, username: str) -> User | None:
    """The user ``actor`` may add to a project under this name, or None."""
    users = User.objects.filter(username=username, is_active=True)
    if actor is not None and not actor.is_staff:
        users = users.filter(is_staff=False, groups__in=actor.groups.all())
    return users.distinct().first()


def organisation_join(user: User, name: str) -> Group:
    group, _ = Group.objects.get_or_create(name=name)
    user.groups.add(group)
    return group
