"""The hot path's hand-built task dict is exactly what TaskSerializer (the schema) says."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from energy.services import energy_record_usage
from labeling.api.task_payload import task_payload
from labeling.api.task_serializers import TaskSerializer
from labeling.assignment import task_lease_next
from labeling.models import Image, Prediction, Task
from labeling.task_reads import task_view_context
from tests.factories import add_member, make_project, make_task, make_user

pytestmark = pytest.mark.django_db


def test_task_payload_equals_the_serializer_for_every_kind_of_task():
    project = make_project(gold_rate=0, overlap=2)
    plain = make_task(project, priority=2)
    rich = make_task(project, width=4000, height=3000)
    Image.objects.filter(pk=rich.image_id).update(
        gps_latitude=36.9, gps_longitude=100.1, gps_altitude=3200.5, relative_altitude=80,
        captured_at=timezone.now() - timedelta(days=3), tile_levels=13, tile_size=512, derivatives="done",
    )
    gold = make_task(project, is_gold=True, gold_boxes=[{"label": "yak", "x": 1, "y": 1, "width": 5, "height": 5}])
    person, boss = make_user(), make_user()
    add_member(project, person, Role.ANNOTATOR)
    add_member(project, boss, Role.SUPERVISOR)
    lease = task_lease_next(project=project, annotator=person)
    energy_record_usage(consumer="workstation", project_id=project.pk, started_at=timezone.now() - timedelta(minutes=5),
                        ended_at=timezone.now(), task_id=rich.pk, user_id=person.pk, active_seconds=120)
    Prediction.objects.create(task=rich, model_version="v1", source="import", score=0.4,
                              boxes=[{"label": "yak", "x": 1, "y": 2, "width": 3, "height": 4, "score": 0.4}])
    Prediction.objects.create(task=rich, model_version="v2", source="import", boxes=[])
    client_viewer = make_user()
    add_member(project, client_viewer, Role.CLIENT)
    tasks = list(Task.objects.filter(pk__in=[plain.pk, rich.pk, gold.pk, lease.task_id]).select_related("image"))
    for viewer in (person, boss, client_viewer):
        context = task_view_context(viewer=viewer, task_ids=[t.pk for t in tasks])
        fast = [task_payload(task, context) for task in tasks]
        declared = TaskSerializer(tasks, many=True, context=context).data
        assert json.dumps(fast, sort_keys=True) == json.dumps(declared, sort_keys=True)
        # Annotators and supervisors see the predictions (newest first), clients do not.
        shown = next(item for item in fast if item["id"] == rich.pk).get("predictions")
        assert shown is None if viewer is client_viewer else [p["model_version"] for p in shown] == ["v2", "v1"]
        if viewer is person:
            # The comparison covered a live lease, a draft and a measured energy tag.
            leased = next(item for item in fast if item["id"] == lease.task_id)
            assert leased["lease"] and leased["annotation"] == {"version": 0, "status": "draft"}
            assert next(item for item in fast if item["id"] == rich.pk)["energy"]["kwh"] is not None


def test_the_annotation_answer_equals_its_declared_fields_for_every_state():
    from rest_framework import serializers

    from labeling.annotations import annotation_get, annotation_save, annotation_submit
    from labeling.api.task_serializers import AnnotationSerializer

    project = make_project(gold_rate=0)
    make_task(project)
    person = make_user()
    add_member(project, person, Role.ANNOTATOR)
    lease = task_lease_next(project=project, annotator=person)
    fresh = annotation_get(task=lease.task, annotator=person)
    saved = annotation_save(task=lease.task, author=person, expected_version=0, active_seconds=3,
                            boxes=[{"label": "yak", "x": 1.5, "y": 2, "width": 30, "height": 12.25}])
    submitted = annotation_submit(task=lease.task, author=person, active_seconds=1)
    reread = annotation_get(task=lease.task, annotator=person)
    del reread.box_list  # the serializer reads the boxes itself
    for annotation in (fresh, saved, submitted, reread):
        declared = serializers.ModelSerializer.to_representation(AnnotationSerializer(), annotation)
        assert json.loads(json.dumps(AnnotationSerializer(annotation).data)) == json.loads(json.dumps(declared))
    assert submitted.submitted_at is not None and AnnotationSerializer(submitted).data["status"] == "submitted"
