"""Prediction runs are deferrable jobs of the energy scheduler."""

from datetime import timedelta

import pytest
from django.utils import timezone

from energy.deferral import release_due
from energy.models import DeferredJob
from labeling.mlbackends.runs import run_request
from labeling.models import MLBackend, ModelRun, Prediction
from tests.factories import make_task
from tests.labeling.mlbackends.fake_backend import FakeBackend

pytestmark = pytest.mark.django_db


def test_a_deferrable_run_goes_through_the_scheduler_and_runs_when_released(
        project, supervisor, settings, django_capture_on_commit_callbacks):
    settings.ML_BACKEND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    task = make_task(project)
    with FakeBackend() as fake:
        fake.answers["/predict"] = [(200, {"results": [{"result": [], "model_version": "green-1"}]})]
        backend = MLBackend.objects.create(project=project, name="m", url=fake.url)
        deadline = timezone.now() + timedelta(hours=6)
        with django_capture_on_commit_callbacks(execute=True):
            run = run_request(project=project, backend=backend, user=supervisor, deferrable=True, deadline=deadline)
        job = DeferredJob.objects.get()
        assert (job.kind, job.task_name, job.kwargs, job.project_id) == (
            "inference", "labeling.mlbackends.run", {"run_id": run.pk}, project.pk)
        assert run.schedule["decision"] in ("run_now", "deferred") and run.schedule["job_id"] == job.pk
        if run.schedule["decision"] == "deferred":
            assert ModelRun.objects.get(pk=run.pk).state == "queued" and not fake.calls("/predict")
            with django_capture_on_commit_callbacks(execute=True):
                assert release_due(now=deadline) == 1
    run.refresh_from_db()
    assert run.state == "done" and Prediction.objects.get(task=task).model_version == "green-1"


def test_a_run_with_nothing_to_do_is_refused(project, supervisor):
    backend = MLBackend.objects.create(project=project, name="m", url="http://example.org")
    from config.errors import DomainError

    with pytest.raises(DomainError) as refused:
        run_request(project=project, backend=backend, user=supervisor, kind="train")
    assert refused.value.code == "nothing_to_train_on" and not ModelRun.objects.exists()
