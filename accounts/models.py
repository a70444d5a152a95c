from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person: annotator, supervisor or client through project memberships (labeling); admin through is_staff."""

    # Power draw of the workstation while labeling; None means the site default.
    device_watts = models.FloatField(null=True, blank=True)
    # Interface language (a code of settings.LANGUAGES); blank follows the browser.
    language = models.CharField(max_length=16, blank=True, default="")

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"


class AuditEvent(models.Model):
    """Who did what, when: an append-only record (see accounts/audit.py)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # The user may be deleted later; their name at the time stays.
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64)
    # A plain id, not a foreign key: the trail outlives a deleted project.
    project_id = models.BigIntegerField(null=True, blank=True)
    target_type = models.CharField(max_length=32, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["project_id", "-at"], name="audit_project_at"),
            models.Index(fields=["action", "-at"], name="audit_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or '-'} {self.action}"
