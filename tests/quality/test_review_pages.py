"""The review and stats pages as HTML (the queue's behaviour in Chromium is in test_review_browser)."""

import pytest

from labeling.models import Task
from labeling.quality.enqueue import quality_check_enqueue
from tests.factories import PASSWORD, make_task
from tests.quality.helpers import YAKS, annotators, submit

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_review_page_for_supervisors(client, project, supervisor, annotator, client_user, outsider):
    url = f"/annotate/projects/{project.pk}/review/"
    assert client.get(url).status_code == 302  # to the login page
    page = login(client, supervisor).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="review-queue"' in html and "review.js" in html and "yak" in html
    for user, status in ((annotator, 403), (client_user, 403), (outsider, 404)):
        client.logout()
        assert login(client, user).get(url).status_code == status


def test_stats_page_draws_a_chart_per_metric(client, project, supervisor, django_capture_on_commit_callbacks):
    a, b = annotators(project, 2)
    task = make_task(project, status=Task.Status.SUBMITTED)
    made = [submit(task, a, YAKS, active_seconds=60), submit(task, b, YAKS[:1], active_seconds=30)]
    with django_capture_on_commit_callbacks(execute=True):
        for annotation in made:
            quality_check_enqueue(annotation.pk)
    html = login(client, supervisor).get(f"/annotate/projects/{project.pk}/stats/").content.decode()
    assert html.count('<svg class="chart"') == 4
    for title in ("Gold accuracy", "Agreement", "Tasks per hour", "Rejection rate"):
        assert title in html
    assert a.username in html and b.username in html
    assert "<polyline" in html or "<circle" in html  # one day of data: points


def test_stats_page_refuses_others(client, project, annotator, outsider):
    url = f"/annotate/projects/{project.pk}/stats/"
    assert login(client, annotator).get(url).status_code == 403
    client.logout()
    assert login(client, outsider).get(url).status_code == 404
