"""The audit trail: one call per thing worth answering "who did that, and when?".

Services call :func:`audit_record` inside the transaction of the change they
describe, so the trail and the change commit (or roll back) together.
"""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy

from accounts.models import AuditEvent, User


class Action(models.TextChoices):
    USER_CREATE = "user.create", gettext_lazy("User created")
    PROJECT_CREATE = "project.create", gettext_lazy("Project created")
    MEMBER_ADD = "membership.add", gettext_lazy("Member added")
    MEMBER_ROLE = "membership.role_change", gettext_lazy("Member's role changed")
    MEMBER_REMOVE = "membership.remove", gettext_lazy("Member removed")
    PROJECT_UPDATE = "project.update", gettext_lazy("Project settings changed")
    PROJECT_ARCHIVE = "project.archive", gettext_lazy("Project archived or restored")
    TASKS_BULK = "tasks.bulk", gettext_lazy("Tasks changed in bulk")
    REVIEW = "review.decide", gettext_lazy("Review decision")
    EXPORT_CREATE = "export.create", gettext_lazy("Export requested")
    EXPORT_DOWNLOAD = "export.download", gettext_lazy("Export downloaded")
    IMAGE_DOWNLOAD = "image.download", gettext_lazy("Original image downloaded")


def audit_record(
    *,
    actor: User | None,
    action: str,
    project_id: int | None = None,
    target_type: str = "",
    target_id: object = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. ``details`` must be JSON-serialisable and hold no secrets."""
    real_actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=real_actor,
        actor_name=real_actor.get_username() if real_actor else "",
        action=str(action),
        project_id=project_id,
        target_type=target_type,
        target_id="" if target_id in (None, "") else str(target_id),
        details=details or {},
    )
