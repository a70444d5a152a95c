"""Build submitted annotations straight through the ORM, without the submit API."""

from django.utils import timezone

from accounts.roles import Role
from labeling.models import Annotation, Box, LabelClass, Task
from tests.factories import add_member, make_user


def submit(task: Task, annotator, boxes, *, version: int = 1, active_seconds: float = 0.0,
           status: str = Annotation.Status.SUBMITTED) -> Annotation:
    """An annotation with ``boxes`` [(label, x, y, w, h)], as a submit would leave it."""
    annotation = Annotation.objects.create(
        task=task, annotator=annotator, status=status, version=version,
        active_seconds=active_seconds, submitted_at=timezone.now(),
    )
    labels = {lc.name: lc for lc in LabelClass.objects.filter(project=task.project)}
    Box.objects.bulk_create(
        [Box(annotation=annotation, label=labels[label], x=x, y=y, width=w, height=h)
         for label, x, y, w, h in boxes]
    )
    if status == Annotation.Status.SUBMITTED:
        Task.objects.filter(pk=task.pk).update(submitted_count=task.annotations.filter(
            status=Annotation.Status.SUBMITTED).count())
    return annotation


def annotators(project, n: int):
    users = []
    for _ in range(n):
        user = make_user()
        add_member(project, user, Role.ANNOTATOR)
        users.append(user)
    return users


YAKS = [("yak", 100, 100, 40, 30), ("yak", 300, 200, 50, 40), ("snow_leopard", 500, 50, 80, 60)]
