from django.conf import settings
from django.db import models

from accounts.roles import Role
from labeling.models.project import Project


class Membership(models.Model):
    """A user's role in one project.

    It lives with the projects it joins users to: labeling depends on accounts
    (users, the role matrix), never the other way round. The table kept the
    name it had when the model lived in accounts, so moving it copied nothing.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "accounts_membership"
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="membership_one_role_per_project"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="membership_role_valid"),
        ]
        indexes = [models.Index(fields=["user", "role"], name="membership_user_role")]

    def __str__(self) -> str:
        return f"{self.user} as {self.role} in {self.project_id}"
