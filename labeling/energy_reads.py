"""The green report of a project and the energy tag of a task, for whoever may see them.

The gate decides here, on the caller's side of ``energy/``: energy computes
figures from ids it is given and knows nothing of users, roles or projects.
Per-annotator figures need "energy.people" (see ``accounts/roles.py``).
"""

from accounts.roles import Role
from energy.services import energy_badge, project_energy_report, task_energy_details
from labeling.access import access_project, access_task, has_capability


def project_energy_report_for(user, project_id: object) -> dict:
    project = access_project(user, project_id, "energy.report")
    people = has_capability(user, project.pk, "energy.people")
    report = project_energy_report(project_id=project.pk, site=project.energy_site, people=people)
    report["project_name"] = project.name
    # Which cut of the report this is, named after the role it is made for.
    report["audience"] = Role.SUPERVISOR.value if people else Role.CLIENT.value
    return report


def task_energy_for(user, task_id: object) -> dict:
    """The full tag of one task (energy.md §4.9) for anyone who may see the task."""
    task = access_task(user, task_id, "project.view")
    detail = task_energy_details([task.pk])[task.pk]
    return {"task_id": task.pk, **detail, "badge": energy_badge(detail)}
