"""The review and stats pages as HTML (the queue's behaviour in Chromium is in test_review_browser)."""

import re

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
    # Each chart: a visible title, its y axis in the reader's units, a legend entry per annotator drawn.
    charts = html.split('<svg class="chart"')[1:]
    for chart in charts:
        assert 'class="chart-title"' in chart and 'class="axis-title"' in chart and 'width="100%"' in chart
        assert chart.count('class="legend-item"') == (0 if "no data yet" in chart else 2)
    assert sum("no data yet" not in chart for chart in charts) >= 2
    assert ">100 %<" in charts[0] and ">tasks / hour<" in charts[2]
    # The table: rates with sensible precision, the mean score in percent like its neighbours.
    table = html.split('data-testid="annotator-totals"')[1].split("</table>")[0]
    assert not re.search(r">\d+\.\d{3,}<", table)
    assert re.search(r'<th class="num">\d+%</th></tr></tfoot>', table)  # mean score, last column


def test_stats_page_refuses_others(client, project, annotator, outsider):
    url = f"/annotate/projects/{project.pk}/stats/"
    assert login(client, annotator).get(url).status_code == 403
    client.logout()
    assert login(client, outsider).get(url).status_code == 404
