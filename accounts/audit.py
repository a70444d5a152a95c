"""The audit trail: one call per thing worth answering "who did that, and when?".

Services call :func:`audit_record` inside the transaction of the change they
describe, so the trail and the change commit (or roll back) together.
"""

from typing import Any

from django.db import models

from accounts.models import AuditEvent, User


class Action(models.TextChoices):
    USER_CREATE = "user.create", "User created"
    PROJECT_CREATE = "project.create", "Project created"
    MEMBER_ADD = "membership.add", "Member added"
    MEMBER_ROLE = "membership.role_change", "Member's role changed"
    MEMBER_REMOVE = "membership.remove", "Member removed"
    PROJECT_UPDATE = "project.update", "Project settings changed"
    PROJECT_ARCHIVE = "project.archive", "Project archived or restored"
    TASKS_BULK = "tasks.bulk", "Tasks changed in bulk"
    REVIEW = "review.decide", "Review decision"
    EXPORT_CREATE = "export.create", "Export requested"
    EXPORT_DOWNLOAD = "export.download", "Export downloaded"
    IMAGE_DOWNLOAD = "image.download", "Original image downloaded"


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
