"""The Celery app, set up the way Celery's Django recipe describes."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("plateau")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each app keeps its Celery jobs in one module, jobs.py.
app.autodiscover_tasks(related_name="jobs")


@app.on_after_configure.connect
def _beat_schedule(sender, **kwargs) -> None:
    # Each app declares its periodic jobs next to its code (labeling/beat.py, energy/beat.py).
    from energy.beat import SCHEDULE as energy_schedule
    from labeling.beat import SCHEDULE as labeling_schedule

    sender.conf.beat_schedule = {**labeling_schedule, **energy_schedule}
