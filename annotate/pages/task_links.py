"""Where a click on a task leads on the pages of those who oversee a project.

The box tool is for annotators (a supervisor or client opening it gets a 403),
so the task browser, the capture map and the upload page send a task waiting
for review to the review queue and any other task to its image.
"""

from django.urls import reverse

from labeling.models import Task


def task_url(*, project_id: int, task_id: int, status: str, image_id: int) -> str:
    if status == Task.Status.REVIEW:
        return f"{reverse('review-page', args=[project_id])}?task={task_id}"
    return reverse("image-display", args=[image_id])
