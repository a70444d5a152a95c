"""Who sees which part of a project's green report.

Decision: supervisors and admins see everything, including per-annotator
figures (they manage people). Clients see totals, series, kinds of work and
deferrals, but no individual annotator's figures: a client buys a dataset,
not a view of who worked how long. Annotators get 403 (a member without the
capability) and outsiders 404, as everywhere (labeling/access.py).
"""

from labeling.access import access_project, project_role

from energy.services import project_energy_report


def report_for(user, project_id: object) -> dict:
    project = access_project(user, project_id, "energy.report")
    people = bool(user.is_staff) or project_role(user, project.pk) == "supervisor"
    report = project_energy_report(project_id=project.pk, site=project.energy_site, people=people)
    report["project_name"] = project.name
    report["audience"] = "supervisor" if people else "client"
    return report


def task_energy_for(user, task_id: object) -> dict:
    """The full tag of one task (energy.md §4.9) for anyone who may see the task."""
    from labeling.access import access_task

    from energy.services import energy_badge, task_energy_details

    task = access_task(user, task_id, "project.view")
    detail = task_energy_details([task.pk])[task.pk]
    return {"task_id": task.pk, **detail, "badge": energy_badge(detail)}
