"""The dashboard on the home card and the overview page: where tasks stand, today's work, the backlog."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from labeling.models import Annotation, Task
from tests.factories import make_task

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _figure(html: str, testid: str) -> str:
    return re.search(rf'data-testid="{testid}">.*?<strong>(.*?)</strong>', html, re.S).group(1)


def test_supervisors_see_today_the_backlog_and_the_oldest_waiting_task(project, supervisor, annotator):
    old, new = make_task(project, status="review"), make_task(project, status="review")
    make_task(project)
    Task.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(hours=5))
    Annotation.objects.create(task=new, annotator=annotator, status="submitted", submitted_at=timezone.now())
    Annotation.objects.create(task=old, annotator=annotator, status="submitted",
                              submitted_at=timezone.now() - timedelta(days=2))
    for html in (browser(supervisor).get("/").content.decode(),
                 browser(supervisor).get(f"/annotate/projects/{project.pk}/overview/").content.decode()):
        assert _figure(html, "today") == "1" and _figure(html, "backlog") == "2"
        assert _figure(html, "oldest") == f"#{old.pk}" and f"review/?task={old.pk}" in html
        assert '<li data-bucket="in_review"><i class="bucket-in_review"></i>in review <strong>2</strong>' in html
    assert 'data-testid="dashboard"' not in browser(annotator).get("/").content.decode()
