"""Rules the database itself enforces, whoever writes the rows."""

import pytest
from django.db import IntegrityError, transaction

from labeling.models import Annotation, Box, LabelClass, Lease, Membership
from tests.factories import add_member, make_task, make_user

pytestmark = pytest.mark.django_db


def _refused(create) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_label_names_and_hotkeys_unique_per_project(project, other_project):
    _refused(lambda: LabelClass.objects.create(project=project, name="yak"))
    _refused(lambda: LabelClass.objects.create(project=project, name="fox", hotkey=1))
    _refused(lambda: LabelClass.objects.create(project=project, name="fox", hotkey=12))
    LabelClass.objects.create(project=other_project, name="fox", hotkey=9)


def test_one_role_per_member(project):
    user = make_user()
    add_member(project, user, "annotator")
    _refused(lambda: Membership.objects.create(project=project, user=user, role="client"))
    _refused(lambda: Membership.objects.create(project=project, user=make_user(), role="owner"))


def test_boxes_need_positive_size_and_origin_inside(project, annotator):
    task = make_task(project)
    annotation = Annotation.objects.create(task=task, annotator=annotator)
    yak = project.labels.get(name="yak")
    for x, y, w, h in [(1, 1, 0, 5), (1, 1, 5, -2), (-3, 1, 5, 5)]:
        _refused(lambda: Box.objects.create(annotation=annotation, label=yak, x=x, y=y, width=w, height=h))
    Box.objects.create(annotation=annotation, label=yak, x=0, y=0, width=0.5, height=0.5)


def test_one_annotation_per_annotator_and_one_live_lease(project, annotator):
    task = make_task(project)
    Annotation.objects.create(task=task, annotator=annotator)
    _refused(lambda: Annotation.objects.create(task=task, annotator=annotator))
    from django.utils import timezone

    Lease.objects.create(task=task, annotator=annotator, expires_at=timezone.now())
    _refused(lambda: Lease.objects.create(task=task, annotator=annotator, expires_at=timezone.now()))
    Lease.objects.filter(task=task).update(released_at=timezone.now())
    Lease.objects.create(task=task, annotator=annotator, expires_at=timezone.now())


def test_image_bytes_unique_per_project(project, other_project):
    task = make_task(project)
    image = task.image
    image.pk = None
    _refused(lambda: image.save())
    image.project = other_project
    image.save()
