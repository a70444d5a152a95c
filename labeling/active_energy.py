"""The workstation energy of credited active time, recorded where the credit is given."""

from datetime import datetime

from accounts.models import User
from energy.services import energy_record_active_span
from labeling.models import Task


def active_energy_record(*, task: Task, annotator: User, credited: float, now: datetime) -> None:
    """Place ``credited`` seconds ending at ``now`` in the ledger (nothing when nothing was credited).

    Every credit point (heartbeat, save, submit) calls this with its own
    credit, so a rework, a second annotator or a lapsed lease is placed in the
    hours its work happened, never smeared over a wait.
    """
    if credited > 0:
        energy_record_active_span(
            project_id=task.project_id, site=task.project.energy_site, task_id=task.pk, user_id=annotator.pk,
            ended_at=now, seconds=credited, device_watts=annotator.device_watts,
        )
