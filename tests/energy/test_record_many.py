"""Many ledger rows in one INSERT, by the same rules as one row at a time."""

from datetime import datetime, timedelta, timezone

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.errors import DomainError
from energy.models import LedgerEntry
from energy.services import energy_record_usage, energy_record_usages
from tests.factories import make_task, make_user

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 7, 1, 10, tzinfo=timezone.utc)
FIELDS = ("consumer", "site_id", "project_id", "task_id", "user_id", "job_kind", "job_id", "start", "end", "it_kwh",
          "pue_applied", "kwh", "basis", "method", "details")


def usages(project, tasks, user):
    server = [{"consumer": "server", "project_id": project.pk, "task_id": t.pk, "job_kind": "quality", "job_id": "j1",
               "started_at": T0 + timedelta(seconds=i), "ended_at": T0 + timedelta(seconds=i + 1),
               "cpu_seconds": 0.25 * (i + 1)} for i, t in enumerate(tasks)]
    return server + [{"consumer": "workstation", "project_id": project.pk, "task_id": tasks[0].pk,
                      "user_id": user.pk, "started_at": T0, "ended_at": T0 + timedelta(minutes=5),
                      "active_seconds": 300}]


def rows():
    return [tuple(getattr(e, f) for f in FIELDS) for e in LedgerEntry.objects.order_by("id")]


def test_many_rows_are_the_rows_one_at_a_time_would_be(project):
    tasks, user = [make_task(project) for _ in range(3)], make_user(device_watts=45)
    for usage in usages(project, tasks, user):
        energy_record_usage(**usage)
    one_by_one = rows()
    LedgerEntry.objects.all().delete()
    assert energy_record_usages(usages(project, tasks, user)) == 4
    assert rows() == one_by_one


def test_the_statements_do_not_grow_with_the_rows(project):
    tasks = [make_task(project) for _ in range(40)]
    counts = []
    for n in (2, 40):
        batch = [u for u in usages(project, tasks[:n], make_user()) if u["consumer"] == "server"]
        with CaptureQueriesContext(connection) as queries:
            energy_record_usages(batch)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert energy_record_usages([]) == 0


def test_a_bad_row_writes_none(project):
    task = make_task(project)
    good = {"consumer": "server", "project_id": project.pk, "task_id": task.pk, "started_at": T0,
            "ended_at": T0 + timedelta(seconds=1), "cpu_seconds": 1.0}
    with pytest.raises(DomainError):
        energy_record_usages([good, {**good, "cpu_seconds": -1.0}])
    assert not LedgerEntry.objects.exists()
